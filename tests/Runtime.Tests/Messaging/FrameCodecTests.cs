using System.Buffers;
using System.Buffers.Binary;
using Granary.Runtime.Messaging;

namespace Granary.Runtime.Tests.Messaging;

public sealed class FrameCodecTests
{
    private const int Cap = FrameCodec.DefaultMaxFrameBytes;

    private static byte[] Encode(FrameKind kind, uint requestId, long view, byte[] payload, int cap = Cap)
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(writer, kind, requestId, view, payload, cap);
        return writer.WrittenSpan.ToArray();
    }

    public static TheoryData<FrameKind> AllKinds() => [.. Enum.GetValues<FrameKind>()];

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void TryReadFrame_EveryKind_RoundTrips(FrameKind kind)
    {
        byte[] payload = [1, 2, 3, 250];
        var buffer = new ReadOnlySequence<byte>(Encode(kind, 0xDEADBEEF, -42, payload));

        Assert.True(FrameCodec.TryReadFrame(ref buffer, Cap, out var header, out var read));

        Assert.Equal(new FrameHeader(kind, 0xDEADBEEF, -42, payload.Length), header);
        Assert.Equal(payload, read.ToArray());
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void WriteFrame_Layout_IsLengthKindIdViewPayloadLittleEndian()
    {
        var bytes = Encode(FrameKind.Request, 7, 9, [0xAA]);

        Assert.Equal(18, bytes.Length);
        Assert.Equal(14u, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal((byte)FrameKind.Request, bytes[4]);
        Assert.Equal(7u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(5)));
        Assert.Equal(9L, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(9)));
        Assert.Equal(0xAA, bytes[17]);
    }

    [Fact]
    public void TryReadFrame_SplitAcrossManySegments_ReadsWholeFrame()
    {
        var payload = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var bytes = Encode(FrameKind.Response, 5, 77, payload);
        var buffer = Segmented(bytes, 1, 2, 3);
        Assert.False(buffer.IsSingleSegment);

        Assert.True(FrameCodec.TryReadFrame(ref buffer, Cap, out var header, out var read));

        Assert.Equal(new FrameHeader(FrameKind.Response, 5, 77, 100), header);
        Assert.Equal(payload, read.ToArray());
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void TryReadFrame_TruncatedFrame_ReturnsFalseUntilComplete()
    {
        var bytes = Encode(FrameKind.Error, 3, 1, [9, 8, 7, 6, 5]);
        for (var length = 0; length < bytes.Length; length++)
        {
            var partial = Segmented(bytes[..length], 2);
            Assert.False(FrameCodec.TryReadFrame(ref partial, Cap, out _, out _));
            Assert.Equal(length, partial.Length);
        }
        var whole = Segmented(bytes, 2);
        Assert.True(FrameCodec.TryReadFrame(ref whole, Cap, out var header, out _));
        Assert.Equal(5, header.PayloadLength);
    }

    [Fact]
    public void TryReadFrame_TwoFramesBackToBack_ReadsBothInOrder()
    {
        var buffer = new ReadOnlySequence<byte>([.. Encode(FrameKind.Ping, 1, 0, []), .. Encode(FrameKind.Pong, 2, 0, [])]);

        Assert.True(FrameCodec.TryReadFrame(ref buffer, Cap, out var first, out _));
        Assert.True(FrameCodec.TryReadFrame(ref buffer, Cap, out var second, out _));

        Assert.Equal((FrameKind.Ping, 1u), (first.Kind, first.RequestId));
        Assert.Equal((FrameKind.Pong, 2u), (second.Kind, second.RequestId));
        Assert.False(FrameCodec.TryReadFrame(ref buffer, Cap, out _, out _));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(12u)]
    public void TryReadFrame_LengthBelowMinimum_Throws(uint length)
    {
        var bytes = new byte[17];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, length);
        bytes[4] = (byte)FrameKind.Request;
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Throws<FrameFormatException>(() => FrameCodec.TryReadFrame(ref buffer, Cap, out _, out _));
    }

    [Fact]
    public void TryReadFrame_LengthAboveCap_ThrowsFromTheLengthFieldAlone()
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 1025);
        var buffer = new ReadOnlySequence<byte>(bytes);

        var e = Assert.Throws<FrameFormatException>(() => FrameCodec.TryReadFrame(ref buffer, 1024, out _, out _));
        Assert.Contains("1024", e.Message);
    }

    [Fact]
    public void TryReadFrame_LengthAtCap_IsAccepted()
    {
        var bytes = Encode(FrameKind.Request, 1, 1, new byte[1024 - 13], cap: 1024);
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.True(FrameCodec.TryReadFrame(ref buffer, 1024, out var header, out _));
        Assert.Equal(1024 - 13, header.PayloadLength);
    }

    [Theory]
    [InlineData((byte)0)]
    [InlineData((byte)8)]
    [InlineData((byte)255)]
    public void TryReadFrame_UnknownKind_ThrowsOnceTheKindByteArrives(byte kind)
    {
        var bytes = new byte[5];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 13);
        bytes[4] = kind;
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Throws<FrameFormatException>(() => FrameCodec.TryReadFrame(ref buffer, Cap, out _, out _));
    }

    [Fact]
    public void TryReadHeader_IncompletePayload_ReturnsHeaderWithoutConsuming()
    {
        var bytes = Encode(FrameKind.Request, 11, 4, new byte[5000]);
        var buffer = new ReadOnlySequence<byte>(bytes, 0, 100);

        Assert.True(FrameCodec.TryReadHeader(buffer, Cap, out var header));
        Assert.Equal(new FrameHeader(FrameKind.Request, 11, 4, 5000), header);
        Assert.False(FrameCodec.TryReadFrame(ref buffer, Cap, out _, out _));
        Assert.Equal(100, buffer.Length);
    }

    [Fact]
    public void WriteFrame_PayloadAboveCap_Throws()
    {
        var writer = new ArrayBufferWriter<byte>();

        Assert.Throws<ArgumentOutOfRangeException>(() => FrameCodec.WriteFrame(writer, FrameKind.Response, 1, 1, new byte[1024 - 12], 1024));
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void TryReadPreamble_Valid_AdvancesPastIt()
    {
        var buffer = Segmented([.. FrameCodec.Preamble, 42], 3);

        Assert.True(FrameCodec.TryReadPreamble(ref buffer));
        Assert.Equal([42], buffer.ToArray());
    }

    [Fact]
    public void TryReadPreamble_ValidPrefix_ReturnsFalse()
    {
        for (var length = 0; length < FrameCodec.Preamble.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(FrameCodec.Preamble[..length].ToArray());
            Assert.False(FrameCodec.TryReadPreamble(ref buffer));
            Assert.Equal(length, buffer.Length);
        }
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("GRANARY\u0001")]
    [InlineData("GRX")]
    public void TryReadPreamble_Garbage_Throws(string text)
    {
        var buffer = new ReadOnlySequence<byte>(System.Text.Encoding.ASCII.GetBytes(text));

        Assert.Throws<FrameFormatException>(() => FrameCodec.TryReadPreamble(ref buffer));
    }

    /// <summary>Splits <paramref name="bytes"/> into segments of the given sizes, cycling.</summary>
    internal static ReadOnlySequence<byte> Segmented(byte[] bytes, params int[] sizes)
    {
        if (bytes.Length == 0)
            return ReadOnlySequence<byte>.Empty;
        Segment? first = null;
        Segment? last = null;
        var offset = 0;
        for (var i = 0; offset < bytes.Length; i++)
        {
            var size = Math.Min(sizes[i % sizes.Length], bytes.Length - offset);
            var memory = bytes.AsMemory(offset, size);
            offset += size;
            if (first is null)
                first = last = new Segment(memory, 0);
            else
                last = last!.Append(memory);
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
