using System.Collections.Concurrent;
using Granary.Grains.Health;

namespace Granary.Grains.Tests.Fakes;

/// <summary>
/// An <see cref="IHealthProber"/> whose answers the test sets per probed URI (one silo serves every
/// test of a class, so each test probes its own URI): a fixed result (healthy by default), an
/// exception, or a pending result the test completes.
/// </summary>
public sealed class FakeHealthProber : IHealthProber
{
    private readonly ConcurrentDictionary<string, Target> _targets = new(StringComparer.Ordinal);

    /// <summary>Probes of <paramref name="uri"/> answer <paramref name="result"/> from now on.</summary>
    public void Answer(Uri uri, ProbeResult result) => Of(uri).Answer = Task.FromResult(result);

    /// <summary>Probes of <paramref name="uri"/> throw <paramref name="exception"/> from now on.</summary>
    public void Throw(Uri uri, Exception exception) => Of(uri).Answer = Task.FromException<ProbeResult>(exception);

    /// <summary>Probes of <paramref name="uri"/> wait for the returned source from now on.</summary>
    public TaskCompletionSource<ProbeResult> Hold(Uri uri)
    {
        var pending = new TaskCompletionSource<ProbeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Of(uri).Answer = pending.Task;
        return pending;
    }

    /// <summary>How many probes of <paramref name="uri"/> started.</summary>
    public int CallsTo(Uri uri) => Volatile.Read(ref Of(uri).Calls);

    /// <summary>The timeout the last probe of <paramref name="uri"/> was given.</summary>
    public TimeSpan LastTimeout(Uri uri) => Of(uri).LastTimeout;

    public Task<ProbeResult> ProbeAsync(Uri uri, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var target = Of(uri);
        target.LastTimeout = timeout;
        Interlocked.Increment(ref target.Calls);
        return target.Answer;
    }

    private Target Of(Uri uri) => _targets.GetOrAdd(uri.AbsoluteUri, static _ => new Target());

    private sealed class Target
    {
        public int Calls;

        public volatile Task<ProbeResult> Answer = Task.FromResult(ProbeResult.Healthy("HTTP 200"));

        public TimeSpan LastTimeout;
    }
}
