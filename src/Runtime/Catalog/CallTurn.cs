using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;
using Granary.Runtime.Messaging;

namespace Granary.Runtime.Catalog;

/// <summary>
/// A queued grain call and the completion its caller awaits. Pooled: the caller's
/// <see cref="ValueTask{TResult}"/> is backed by this object, which returns itself to the pool
/// when the caller reads the result, so a queued call allocates nothing in steady state.
/// </summary>
internal sealed class CallTurn : TurnItem, IValueTaskSource<CallOutcome>
{
    private const int MaxPooled = 1024;
    private static readonly ConcurrentQueue<CallTurn> Pool = new();
    private static int s_pooled;

    private ManualResetValueTaskSourceCore<CallOutcome> _core = new() { RunContinuationsAsynchronously = true };
    private ushort _methodId;
    private ReadOnlyMemory<byte> _arguments;
    private IBufferWriter<byte>? _result;

    public static CallTurn Rent(ushort methodId, ReadOnlyMemory<byte> arguments, IBufferWriter<byte> result)
    {
        if (Pool.TryDequeue(out var turn))
            Interlocked.Decrement(ref s_pooled);
        else
            turn = new CallTurn();
        turn._methodId = methodId;
        turn._arguments = arguments;
        turn._result = result;
        return turn;
    }

    /// <summary>The caller's view of the outcome; read it exactly once.</summary>
    public ValueTask<CallOutcome> AsValueTask() => new(this, _core.Version);

    /// <summary>Returns a turn that was never queued.</summary>
    public void ReturnUnused() => Return();

    public override ValueTask RunAsync(ActivationData activation)
    {
        // Queued before the silo fenced itself (lost its lease): it must not run now; the caller goes elsewhere.
        // The turn's start is stamped before the check, so a freeze between the two is never logged as a turn.
        var stamp = activation.BeginTurn();
        if (!activation.Catalog.CanServe)
        {
            _core.SetResult(CallOutcome.Redirect(null));
            return ValueTask.CompletedTask;
        }
        var pending = activation.InvokeGrainAsync(_methodId, _arguments, _result!);
        if (pending.IsCompletedSuccessfully)
        {
            activation.EndTurn(stamp);
            _core.SetResult(pending.Result);
            return ValueTask.CompletedTask;
        }
        return AwaitAsync(activation, pending, stamp);
    }

    private async ValueTask AwaitAsync(ActivationData activation, ValueTask<CallOutcome> pending, TurnStamp stamp)
    {
        var outcome = await pending.ConfigureAwait(false);
        activation.EndTurn(stamp);
        _core.SetResult(outcome);
    }

    public override void Abandon(CallError error) => _core.SetResult(new CallOutcome(CallOutcomeKind.Error, Error: error));

    public CallOutcome GetResult(short token)
    {
        var outcome = _core.GetResult(token);
        Return();
        return outcome;
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Return()
    {
        _arguments = default;
        _result = null;
        _core.Reset();
        if (Interlocked.Increment(ref s_pooled) <= MaxPooled)
            Pool.Enqueue(this);
        else
            Interlocked.Decrement(ref s_pooled);
    }
}
