using System.Buffers;
using System.Collections.Concurrent;
using Granary.Runtime.Messaging;
using Granary.Runtime.Serialization;

namespace Granary.Runtime.Tests.Transport;

/// <summary>
/// Answers test-grain calls: echo (method 1) doubles the number; keys select behaviour:
/// <c>slow</c> waits for <see cref="ReleaseSlow"/>, <c>never</c> waits until canceled,
/// <c>fail</c> answers an error. <see cref="Override"/> replaces the outcome (redirects).
/// </summary>
internal sealed class FakeCallHandler : IIncomingCallHandler
{
    private readonly TaskCompletionSource _slowGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;

    public long ViewVersion { get; set; } = 7;

    public int Calls => Volatile.Read(ref _calls);

    public ConcurrentQueue<(GrainRequestHeader Header, long CallerView)> Received { get; } = new();

    public Func<GrainRequestHeader, CallOutcome?>? Override { get; set; }

    public int NeverStarted;

    public int NeverCanceled;

    public void ReleaseSlow() => _slowGate.TrySetResult();

    public async ValueTask<CallOutcome> HandleAsync(GrainRequestHeader header, ReadOnlyMemory<byte> arguments, long callerViewVersion, IBufferWriter<byte> result, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        Received.Enqueue((header, callerViewVersion));
        if (Override?.Invoke(header) is { } overridden)
            return overridden;
        var request = Decode(arguments);
        switch (header.GrainId.Key)
        {
            case "slow":
                await _slowGate.Task.WaitAsync(cancellationToken);
                break;
            case "never":
                Interlocked.Increment(ref NeverStarted);
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref NeverCanceled);
                    throw;
                }
                break;
            case "fail":
                return CallOutcome.Failed("grain_error", $"failing on purpose: {request.Text}");
        }
        EchoReply.Write(new GrainWriter(result), new EchoReply(request.Text, request.Number * 2));
        return CallOutcome.Ok;
    }

    private static EchoRequest Decode(ReadOnlyMemory<byte> arguments)
    {
        var reader = new GrainReader(arguments.Span);
        return EchoRequest.Read(ref reader);
    }
}
