using Granary.Runtime.Invocation;
using Granary.Runtime.Serialization;

namespace Granary.Runtime.Tests.Transport;

/// <summary>A hand-written grain interface for transport tests.</summary>
public interface ITestGrain : IGrain
{
    ValueTask<EchoReply> EchoAsync(EchoRequest request, CancellationToken cancellationToken = default);

    void Notify(EchoRequest request);
}

public readonly record struct EchoRequest(string Text, int Number) : IGrainCodec<EchoRequest>
{
    public static void Write(GrainWriter writer, EchoRequest value)
    {
        writer.WriteString(value.Text);
        writer.WriteInt32(value.Number);
    }

    public static EchoRequest Read(ref GrainReader reader) => new(reader.ReadString(), reader.ReadInt32());
}

public readonly record struct EchoReply(string Text, int Doubled) : IGrainCodec<EchoReply>
{
    public static void Write(GrainWriter writer, EchoReply value)
    {
        writer.WriteString(value.Text);
        writer.WriteInt32(value.Doubled);
    }

    public static EchoReply Read(ref GrainReader reader) => new(reader.ReadString(), reader.ReadInt32());
}

internal sealed class TestGrainReference(GrainId grainId, IGrainCallInvoker invoker) : GrainReference(grainId, invoker), ITestGrain
{
    public const ushort EchoMethod = 1;
    public const ushort NotifyMethod = 2;

    public ValueTask<EchoReply> EchoAsync(EchoRequest request, CancellationToken cancellationToken = default) =>
        Invoker.InvokeAsync<EchoRequest, EchoReply>(GrainId, EchoMethod, request, cancellationToken);

    public void Notify(EchoRequest request) => Invoker.InvokeOneWay(GrainId, NotifyMethod, request);

    public static readonly GrainInterfaceDescriptor Descriptor = new()
    {
        GrainType = "test",
        InterfaceType = typeof(ITestGrain),
        CreateReference = (id, invoker) => new TestGrainReference(id, invoker),
        Dispatch = (_, _, _, _) => throw new NotSupportedException("Transport tests use a fake call handler."),
    };
}
