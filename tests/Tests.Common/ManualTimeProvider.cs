namespace Granary.Tests.Common;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock moves only when a test calls <see cref="Advance"/>:
/// timestamps, UTC now and timers all follow it, so tests never sleep.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private long _ticks;
    private readonly DateTimeOffset _utcStart = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Ticks per second of <see cref="GetTimestamp"/>: <see cref="TimeSpan.TicksPerSecond"/>.</summary>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override long GetTimestamp() { lock (_gate) return _ticks; }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() { lock (_gate) return _utcStart.AddTicks(_ticks); }

    /// <summary>Moves the clock forward and fires every timer that came due, in order.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        long target;
        lock (_gate) target = _ticks + by.Ticks;
        while (true)
        {
            ManualTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.DueTicks <= target).OrderBy(t => t.DueTicks).FirstOrDefault();
                if (next is null)
                {
                    _ticks = target;
                    return;
                }
                _ticks = Math.Max(_ticks, next.DueTicks);
                next.Reschedule();
            }
            next.Fire();
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private long _period = -1;
        public long DueTicks { get; private set; } = long.MaxValue;

        public void Fire() => callback(state);

        public void Reschedule()
        {
            if (_period > 0)
                DueTicks += _period;
            else
                owner._timers.Remove(this);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan)
                    return true;
                DueTicks = owner._ticks + dueTime.Ticks;
                _period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? -1 : period.Ticks;
                owner._timers.Add(this);
            }
            return true;
        }

        public void Dispose() { lock (owner._gate) owner._timers.Remove(this); }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
