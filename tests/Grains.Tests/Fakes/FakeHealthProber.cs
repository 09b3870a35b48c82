using System.Collections.Concurrent;
using Granary.Grains.Health;

namespace Granary.Grains.Tests.Fakes;

/// <summary>An <see cref="IHealthProber"/> whose answers the test sets: a fixed result, or a pending one it completes.</summary>
public sealed class FakeHealthProber : IHealthProber
{
    private int _calls;

    public ProbeResult Next { get; set; } = ProbeResult.Healthy("HTTP 200");

    /// <summary>When set, probes wait for this task instead of answering <see cref="Next"/>.</summary>
    public TaskCompletionSource<ProbeResult>? Pending { get; set; }

    public ConcurrentQueue<(Uri Uri, TimeSpan Timeout)> Probes { get; } = new();

    public int Calls => Volatile.Read(ref _calls);

    public Task<ProbeResult> ProbeAsync(Uri uri, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Probes.Enqueue((uri, timeout));
        Interlocked.Increment(ref _calls);
        return Pending?.Task ?? Task.FromResult(Next);
    }
}
