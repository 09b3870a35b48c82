namespace Granary.Grains.Tests.Fakes;

/// <summary>
/// The silo's clock in grain tests: time moves only when a test calls <see cref="Advance"/> (or
/// <see cref="FireNextAsync"/>), and due timers fire inline, in order, on the advancing thread — the
/// semantics of <c>ManualTimeProvider</c> in Tests.Common. Installed as the silo's default
/// <see cref="TimeProvider"/> (the grains' injected clock and Orleans's
/// <see cref="TimeProviderNames.Grains"/> area, which drives grain timers), while Orleans's own
/// maintenance loops stay on real time.
/// </summary>
/// <remarks>
/// What ManualTimeProvider cannot tell: an Orleans grain timer is one-shot per tick and re-arms only
/// after the tick's callback finished (<c>GrainTimer.OnTickCompleted</c>). This clock records which
/// grain each timer belongs to (the timer's state names its activation, <c>…/{grainId}@{activationId}</c>)
/// and whether it is armed, so a test can wait for a tick to finish and fire exactly the next one —
/// the pattern of <c>TrackingFakeTimeProvider</c> in Orleans's own tests.
/// </remarks>
public sealed class GrainTimerClock : TimeProvider
{
    private static readonly DateTimeOffset UtcStart = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly List<Timer> _timers = [];
    private long _ticks;
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Ticks per second of <see cref="GetTimestamp"/>: <see cref="TimeSpan.TicksPerSecond"/>.</summary>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>The clock's UTC now as Unix time, ms.</summary>
    public long UnixMs => GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc />
    public override long GetTimestamp()
    {
        lock (_gate)
            return _ticks;
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
            return UtcStart.AddTicks(_ticks);
    }

    /// <summary>Moves the clock forward and fires every timer that comes due, in due order.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        long target;
        lock (_gate)
            target = _ticks + by.Ticks;
        while (true)
        {
            Timer? next = null;
            lock (_gate)
            {
                foreach (var timer in _timers)
                {
                    if (timer.DueTicks <= target && (next is null || timer.DueTicks < next.DueTicks))
                        next = timer;
                }
                if (next is null)
                {
                    _ticks = target;
                    return;
                }
                _ticks = Math.Max(_ticks, next.DueTicks);
                next.Fired();
            }
            next.Invoke();
        }
    }

    /// <summary>
    /// Waits (up to 10 s) until the timer of <paramref name="grain"/>'s activation is armed (its
    /// previous tick, if any, finished), then advances the clock exactly to its due time so that
    /// it fires once.
    /// </summary>
    /// <returns>How far the clock moved: the time until the tick was due.</returns>
    public async Task<TimeSpan> FireNextAsync(GrainId grain)
    {
        var due = await WaitUntilArmedAsync(grain);
        TimeSpan by;
        lock (_gate)
            by = TimeSpan.FromTicks(Math.Max(0, due - _ticks));
        Advance(by);
        return by;
    }

    /// <summary>Waits (up to 10 s) until the timer of <paramref name="grain"/>'s activation is armed: a tick it fired has finished.</summary>
    /// <returns>The timer's due time, in <see cref="GetTimestamp"/> ticks.</returns>
    public async Task<long> WaitUntilArmedAsync(GrainId grain)
    {
        using var deadline = new CancellationTokenSource(WaitLimit);
        while (true)
        {
            Task changed;
            lock (_gate)
                changed = _changed.Task;
            var armed = TimersOf(grain).Where(t => t.Armed).ToList();
            if (armed.Count == 1)
                return armed[0].DueTicks;
            Assert.True(armed.Count == 0, $"{grain} has {armed.Count} armed timers; these tests expect one per grain.");
            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"No timer of {grain} was armed within {WaitLimit.TotalSeconds} s; its timers: {TimersOf(grain).Count}.");
            }
        }
    }

    /// <summary>How many timers (armed or not) <paramref name="grain"/>'s activation holds on this clock.</summary>
    public int TimerCount(GrainId grain) => TimersOf(grain).Count;

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private List<Timer> TimersOf(GrainId grain)
    {
        List<Timer> all;
        lock (_gate)
            all = [.. _timers];
        // Orleans's grain timer names its activation: "[GrainTimer] Grain: '[Activation: S…/client/u1@9f… State=Valid]'".
        var mark = $"/{grain}@";
        return all.Where(t => t.Owner.Contains(mark, StringComparison.Ordinal)).ToList();
    }

    private void Signal()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            changed = _changed;
            _changed = NewSignal();
        }
        changed.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Timer(GrainTimerClock clock, TimerCallback callback, object? state) : ITimer
    {
        private long _period = -1;

        /// <summary>Due time in clock ticks; <see cref="long.MaxValue"/> when not armed.</summary>
        public long DueTicks { get; private set; } = long.MaxValue;

        public bool Armed => DueTicks != long.MaxValue;

        public string Owner => state?.ToString() ?? "";

        /// <summary>Called under the clock's lock when the timer fires: re-arms a periodic timer, else disarms it.</summary>
        public void Fired() => DueTicks = _period > 0 ? DueTicks + _period : long.MaxValue;

        public void Invoke()
        {
            callback(state);
            clock.Signal();
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                DueTicks = long.MaxValue;
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    DueTicks = clock._ticks + dueTime.Ticks;
                    _period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? -1 : period.Ticks;
                }
                clock._timers.Add(this);
            }
            clock.Signal();
            return true;
        }

        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                DueTicks = long.MaxValue;
            }
            clock.Signal();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
