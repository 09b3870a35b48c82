using Granary.Runtime.Serialization;

namespace Granary.Bench.GrainCalls;

/// <summary>The benchmark's whole message: one int32 (4 bytes on the wire).</summary>
internal readonly record struct EchoValue(int Value) : IGrainCodec<EchoValue>
{
    public static void Write(GrainWriter writer, EchoValue value) => writer.WriteInt32(value.Value);

    public static EchoValue Read(ref GrainReader reader) => new(reader.ReadInt32());
}
