using System.Collections.Concurrent;
using Granary.Tests.Common;

namespace Granary.Runtime.Tests.Transport;

/// <summary>
/// A <see cref="ManualTimeProvider"/> that also records every timer created through it (after the
/// timer is armed), so a test can wait until the code under test has armed a timer (a backoff
/// delay, say) before it moves the clock, instead of moving the clock and hoping.
/// </summary>
internal sealed class TimerWatchingTimeProvider(ManualTimeProvider clock) : TimeProvider
{
    private readonly ConcurrentQueue<ArmedTimer> _armed = new();

    /// <summary>A timer as it was created: its due time and period (<see cref="Timeout.InfiniteTimeSpan"/> = one-shot).</summary>
    public readonly record struct ArmedTimer(TimeSpan DueTime, TimeSpan Period);

    public ManualTimeProvider Clock => clock;

    /// <summary>Timers armed so far, in creation order.</summary>
    public IReadOnlyList<ArmedTimer> Armed => [.. _armed];

    public override long TimestampFrequency => clock.TimestampFrequency;

    public override long GetTimestamp() => clock.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = clock.CreateTimer(callback, state, dueTime, period);
        _armed.Enqueue(new ArmedTimer(dueTime, period));
        return timer;
    }

    /// <summary>Waits (real time, bounded) until a timer matching <paramref name="match"/> is armed after the first <paramref name="skip"/> ones.</summary>
    public async Task<ArmedTimer> WaitArmedAsync(int skip, Func<ArmedTimer, bool> match, string what)
    {
        ArmedTimer? found = null;
        await GrainTransportTests.WaitUntilAsync(() => (found = Armed.Skip(skip).Where(match).Cast<ArmedTimer?>().FirstOrDefault()) is not null, what);
        return found!.Value;
    }
}
