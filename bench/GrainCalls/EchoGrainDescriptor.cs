using System.Buffers;
using Granary.Runtime;
using Granary.Runtime.Invocation;
using Granary.Runtime.Serialization;

namespace Granary.Bench.GrainCalls;

/// <summary>Hand-written interface descriptor (grain type <c>bench-echo</c>, one method) shared by silo and client.</summary>
internal static class EchoGrainDescriptor
{
    public const string GrainType = "bench-echo";
    public const ushort EchoMethod = 1;

    public static GrainInterfaceDescriptor Descriptor { get; } = new()
    {
        GrainType = GrainType,
        InterfaceType = typeof(IEchoGrain),
        CreateReference = static (id, invoker) => new EchoGrainReference(id, invoker),
        Dispatch = Dispatch,
    };

    private static ValueTask Dispatch(IGrain grain, ushort methodId, ReadOnlyMemory<byte> arguments, IBufferWriter<byte> result)
    {
        if (methodId != EchoMethod)
            throw new UnknownGrainMethodException(GrainType, methodId);
        var reader = new GrainReader(arguments.Span);
        var call = ((IEchoGrain)grain).EchoAsync(EchoValue.Read(ref reader));
        if (call.IsCompletedSuccessfully)
        {
            EchoValue.Write(new GrainWriter(result), call.Result);
            return ValueTask.CompletedTask;
        }
        return Awaited(call, result);

        static async ValueTask Awaited(ValueTask<EchoValue> call, IBufferWriter<byte> result) => EchoValue.Write(new GrainWriter(result), await call);
    }
}
