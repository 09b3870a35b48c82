using System.Buffers;
using Granary.Runtime.Messaging;
using Granary.Runtime.Serialization;

namespace Granary.Runtime.Tests.Messaging;

public sealed class GrainRequestHeaderTests
{
    private static byte[] Encode(Action<GrainWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new GrainWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void Read_AfterWrite_RoundTripsAndLeavesReaderAtArguments()
    {
        var bytes = Encode(w =>
        {
            GrainRequestHeader.Write(w, new GrainRequestHeader(new GrainId("client", "user-é"), 513));
            w.WriteInt32(99);
        });
        var reader = new GrainReader(bytes);

        var header = GrainRequestHeader.Read(ref reader);

        Assert.Equal(new GrainRequestHeader(new GrainId("client", "user-é"), 513), header);
        Assert.Equal(99, reader.ReadInt32());
    }

    [Fact]
    public void Read_EveryTruncation_ThrowsGrainSerializationException()
    {
        var bytes = Encode(w => GrainRequestHeader.Write(w, new GrainRequestHeader(new GrainId("backend", "b1"), 2)));
        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes[..length];
            Assert.Throws<GrainSerializationException>(() =>
            {
                var reader = new GrainReader(prefix);
                GrainRequestHeader.Read(ref reader);
            });
        }
    }

    [Fact]
    public void Read_EmptyGrainType_Throws()
    {
        var bytes = Encode(w =>
        {
            w.WriteString("");
            w.WriteString("k");
            w.WriteUInt16(1);
        });

        Assert.Throws<GrainSerializationException>(() =>
        {
            var reader = new GrainReader(bytes);
            GrainRequestHeader.Read(ref reader);
        });
    }

    [Fact]
    public void ReadString_LengthBeyondBuffer_Throws()
    {
        var bytes = Encode(w => w.WriteVarUInt32(1000));

        var e = Assert.Throws<GrainSerializationException>(() =>
        {
            var reader = new GrainReader(bytes);
            reader.ReadString();
        });
        Assert.Contains("1000", e.Message);
    }

    [Fact]
    public void ReadInt64_Truncated_Throws()
    {
        Assert.Throws<GrainSerializationException>(() =>
        {
            var reader = new GrainReader(new byte[7]);
            reader.ReadInt64();
        });
    }

    [Fact]
    public void CallErrorAndWrongSiloPayload_RoundTrip()
    {
        var error = Encode(w => CallError.Write(w, new CallError("overloaded", "too many")));
        var wrong = Encode(w => WrongSiloPayload.Write(w, new WrongSiloPayload(null)));
        var errorReader = new GrainReader(error);
        var wrongReader = new GrainReader(wrong);

        Assert.Equal(new CallError("overloaded", "too many"), CallError.Read(ref errorReader));
        Assert.Equal(new WrongSiloPayload(null), WrongSiloPayload.Read(ref wrongReader));
    }

    [Fact]
    public void TryReadUtf8_AfterWrite_GivesRawIdMethodAndArgumentsStart()
    {
        var bytes = Encode(w =>
        {
            GrainRequestHeader.Write(w, new GrainRequestHeader(new GrainId("client", "user-é"), 513));
            w.WriteInt32(99);
        });

        var ok = GrainRequestHeader.TryReadUtf8(bytes, out var id, out var methodId, out var argumentsStart);

        Assert.True(ok);
        Assert.Equal("client"u8.ToArray(), id.Type.ToArray());
        Assert.Equal("user-é"u8.ToArray(), id.Key.ToArray());
        Assert.Equal(513, methodId);
        Assert.Equal(bytes.Length - 4, argumentsStart);
    }

    [Fact]
    public void TryReadUtf8_TruncatedOrEmptyType_False()
    {
        var bytes = Encode(w => GrainRequestHeader.Write(w, new GrainRequestHeader(new GrainId("client", "user"), 1)));
        var emptyType = Encode(w =>
        {
            w.WriteString("");
            w.WriteString("user");
            w.WriteUInt16(1);
        });

        Assert.False(GrainRequestHeader.TryReadUtf8(bytes.AsSpan(0, bytes.Length - 1), out _, out _, out _));
        Assert.False(GrainRequestHeader.TryReadUtf8(emptyType, out _, out _, out _));
    }
}
