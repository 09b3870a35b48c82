namespace Granary.Runtime.Tests.Storage;

/// <summary>An <see cref="IGrainContext"/> that runs posted work at once and records deactivation requests.</summary>
internal sealed class RecordingGrainContext(GrainId grainId, TimeProvider timeProvider) : IGrainContext
{
    private int _deactivations;

    public GrainId GrainId { get; } = grainId;

    public TimeProvider TimeProvider { get; } = timeProvider;

    public int DeactivationRequests => Volatile.Read(ref _deactivations);

    public void Post(Func<ValueTask> work) => work().AsTask().GetAwaiter().GetResult();

    public IDisposable RegisterTimer(Func<CancellationToken, ValueTask> callback, TimeSpan dueTime, TimeSpan period) => throw new NotSupportedException();

    public void DeactivateOnIdle() => Interlocked.Increment(ref _deactivations);
}
