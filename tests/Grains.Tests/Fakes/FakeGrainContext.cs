using System.Reflection;
using System.Threading.Channels;
using Granary.Runtime;

namespace Granary.Grains.Tests.Fakes;

/// <summary>
/// An <see cref="IGrainContext"/> for unit tests: records timers (fired by the test), queues
/// posted work (run by the test, or at once when <see cref="RunPostsImmediately"/> is set).
/// </summary>
public sealed class FakeGrainContext(GrainId grainId, TimeProvider timeProvider) : IGrainContext
{
    private readonly Channel<Func<ValueTask>> _posted = Channel.CreateUnbounded<Func<ValueTask>>();

    public GrainId GrainId { get; } = grainId;

    public TimeProvider TimeProvider { get; } = timeProvider;

    public List<FakeTimer> Timers { get; } = [];

    public bool RunPostsImmediately { get; set; }

    public bool DeactivateRequested { get; private set; }

    public IEnumerable<FakeTimer> ActiveTimers => Timers.Where(t => !t.Disposed);

    public void Post(Func<ValueTask> work)
    {
        if (RunPostsImmediately)
            work().AsTask().GetAwaiter().GetResult();
        else
            _posted.Writer.TryWrite(work);
    }

    public IDisposable RegisterTimer(Func<CancellationToken, ValueTask> callback, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FakeTimer(callback, dueTime, period);
        Timers.Add(timer);
        return timer;
    }

    public void DeactivateOnIdle() => DeactivateRequested = true;

    /// <summary>Waits (up to 10 s) for the next posted work item and runs it as a turn.</summary>
    public async Task RunNextPostedAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var work = await _posted.Reader.ReadAsync(deadline.Token);
        await work();
    }

    /// <summary>True when posted work is waiting.</summary>
    public bool HasPosted => _posted.Reader.Count > 0;

    /// <summary>Attaches this context to a grain (the runtime's internal setter, reached by reflection) and activates it.</summary>
    public async Task<TGrain> ActivateAsync<TGrain>(TGrain grain) where TGrain : Grain
    {
        var property = typeof(Grain).GetProperty("Context", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
            ?? throw new InvalidOperationException("Grain.Context not found.");
        property.SetValue(grain, this);
        await grain.OnActivateAsync(CancellationToken.None);
        return grain;
    }

    public sealed class FakeTimer(Func<CancellationToken, ValueTask> callback, TimeSpan dueTime, TimeSpan period) : IDisposable
    {
        public TimeSpan DueTime { get; } = dueTime;

        public TimeSpan Period { get; } = period;

        public bool Disposed { get; private set; }

        public ValueTask FireAsync() => Disposed ? throw new ObjectDisposedException("timer") : callback(CancellationToken.None);

        public void Dispose() => Disposed = true;
    }
}
