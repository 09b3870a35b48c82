using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace Granary.Runtime.Transport;

/// <summary>
/// A two-way call waiting for its answer: a pooled <see cref="IValueTaskSource{TResult}"/>.
/// Exactly one party completes it — whoever removes it from the session's pending map (the read
/// loop, the deadline sweep, the connection-loss path or the caller's cancellation) — and the
/// awaiting caller returns it to the pool in <see cref="GetResult"/>.
/// </summary>
internal sealed class PendingCall : IValueTaskSource<ResponseFrame>
{
    private const int MaxPooled = 4096;
    private static readonly ConcurrentQueue<PendingCall> Pool = new();
    private static int _pooledCount;

    [ThreadStatic]
    private static PendingCall? t_cached;

    private ManualResetValueTaskSourceCore<ResponseFrame> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _cancellation;

    /// <summary>The request id on the connection.</summary>
    public uint RequestId { get; private set; }

    /// <summary>When the call times out, in <see cref="TimeProvider.GetTimestamp"/> units.</summary>
    public long Deadline { get; private set; }

    /// <summary>The session whose pending map holds the call.</summary>
    public ClientSession? Session { get; private set; }

    /// <summary>Version of the current use, for the <see cref="ValueTask{TResult}"/>.</summary>
    public short Version => _core.Version;

    /// <summary>Takes a call from the pool (or makes one) and prepares it.</summary>
    public static PendingCall Rent(uint requestId, long deadline, ClientSession session)
    {
        var call = t_cached;
        if (call is not null)
            t_cached = null;
        else if (Pool.TryDequeue(out call))
            Interlocked.Decrement(ref _pooledCount);
        else
            call = new PendingCall();
        call.RequestId = requestId;
        call.Deadline = deadline;
        call.Session = session;
        return call;
    }

    /// <summary>Fails the call with <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires first.</summary>
    public void RegisterCancellation(CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
            return;
        _cancellation = cancellationToken.UnsafeRegister(static (state, token) =>
        {
            var call = (PendingCall)state!;
            if (call.Session is { } session && session.TryRemovePending(call.RequestId, call))
                call.SetException(new OperationCanceledException(token));
        }, this);
    }

    /// <summary>Completes the call with an answer (only by the party that removed it from the pending map).</summary>
    public void SetResult(in ResponseFrame response) => _core.SetResult(response);

    /// <summary>Fails the call (only by the party that removed it from the pending map).</summary>
    public void SetException(Exception exception) => _core.SetException(exception);

    /// <inheritdoc />
    public ResponseFrame GetResult(short token)
    {
        if (token != _core.Version)
            throw new InvalidOperationException("A grain call's ValueTask was awaited twice.");
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            // Waits for a cancellation callback that is running right now, so the call is idle when reused.
            _cancellation.Dispose();
            _cancellation = default;
            Session = null;
            _core.Reset();
            if (t_cached is null)
                t_cached = this;
            else if (Interlocked.Increment(ref _pooledCount) <= MaxPooled)
                Pool.Enqueue(this);
            else
                Interlocked.Decrement(ref _pooledCount);
        }
    }

    /// <inheritdoc />
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc />
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
