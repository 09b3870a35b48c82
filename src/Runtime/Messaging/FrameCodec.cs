using System.Buffers;
using System.Buffers.Binary;

namespace Granary.Runtime.Messaging;

/// <summary>
/// Encodes and decodes frames (<see cref="FrameHeader"/>) and the connection preamble.
/// Decoding never allocates for the header and never trusts a length before checking it
/// against the cap, so garbage costs at most one header's worth of reading.
/// </summary>
public static class FrameCodec
{
    /// <summary>Default hard cap on one frame's size after the length field: 1 MiB.</summary>
    public const int DefaultMaxFrameBytes = 1024 * 1024;

    /// <summary>
    /// The 8 bytes a client sends first on every grain connection (<c>"GRANARY"</c> + protocol version 2:
    /// version 1 had no handshake). The cluster handshake (<see cref="ClusterHandshake"/>) follows, then frames.
    /// A connection that starts with anything else is closed.
    /// </summary>
    public static ReadOnlySpan<byte> Preamble => "GRANARY\u0002"u8;

    /// <summary>
    /// Checks the preamble at the start of <paramref name="buffer"/>.
    /// Returns false when fewer than 8 bytes have arrived; advances past it when valid.
    /// </summary>
    /// <exception cref="FrameFormatException">The bytes are not the preamble.</exception>
    public static bool TryReadPreamble(ref ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < Preamble.Length)
        {
            // Fail early on a prefix that can never become the preamble.
            Span<byte> partial = stackalloc byte[(int)buffer.Length];
            buffer.CopyTo(partial);
            if (!Preamble.StartsWith(partial))
                throw new FrameFormatException("Connection does not start with the Granary preamble.");
            return false;
        }
        Span<byte> head = stackalloc byte[8];
        buffer.Slice(0, 8).CopyTo(head);
        if (!head.SequenceEqual(Preamble))
            throw new FrameFormatException("Connection does not start with the Granary preamble.");
        buffer = buffer.Slice(8);
        return true;
    }

    /// <summary>
    /// Tries to take one whole frame from the front of <paramref name="buffer"/>.
    /// On success advances <paramref name="buffer"/> past it and returns the header and payload
    /// (a slice of the input: copy it before the pipe's buffer is advanced).
    /// Returns false when the frame is not complete yet.
    /// </summary>
    /// <param name="buffer">Received bytes.</param>
    /// <param name="maxFrameBytes">Largest accepted value of the length field.</param>
    /// <param name="header">The decoded header.</param>
    /// <param name="payload">The payload bytes.</param>
    /// <exception cref="FrameFormatException">The length is below 13 or above <paramref name="maxFrameBytes"/>, or the kind is unknown.</exception>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameBytes, out FrameHeader header, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        if (!TryReadHeader(buffer, maxFrameBytes, out header))
            return false;
        if (buffer.Length < FrameHeader.Size + (long)header.PayloadLength)
        {
            header = default;
            return false;
        }
        payload = buffer.Slice(FrameHeader.Size, header.PayloadLength);
        buffer = buffer.Slice(FrameHeader.Size + header.PayloadLength);
        return true;
    }

    /// <summary>
    /// Decodes and checks the header at the front of <paramref name="buffer"/> without needing
    /// (or consuming) the payload: lets a reader copy a large frame out of its buffer piece by piece.
    /// Returns false when fewer than <see cref="FrameHeader.Size"/> bytes have arrived; a length or
    /// kind that is already visible in a shorter buffer is still checked (and throws) so garbage is
    /// rejected as early as possible.
    /// </summary>
    /// <param name="buffer">Received bytes.</param>
    /// <param name="maxFrameBytes">Largest accepted value of the length field.</param>
    /// <param name="header">The decoded header.</param>
    /// <exception cref="FrameFormatException">The length is below 13 or above <paramref name="maxFrameBytes"/>, or the kind is unknown.</exception>
    public static bool TryReadHeader(in ReadOnlySequence<byte> buffer, int maxFrameBytes, out FrameHeader header)
    {
        header = default;
        if (buffer.Length < FrameHeader.LengthFieldSize)
            return false;
        Span<byte> fixedPart = stackalloc byte[FrameHeader.Size];
        var available = (int)Math.Min(buffer.Length, FrameHeader.Size);
        buffer.Slice(0, available).CopyTo(fixedPart);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart);
        if (length < FrameHeader.FixedSizeAfterLength)
            throw new FrameFormatException($"Frame length {length} is below the minimum of {FrameHeader.FixedSizeAfterLength}.");
        if (length > (uint)maxFrameBytes)
            throw new FrameFormatException($"Frame length {length} exceeds the cap of {maxFrameBytes} bytes.", isOverFrameCap: true);
        // A range check, not Enum.IsDefined: this runs for every frame.
        if (available > FrameHeader.LengthFieldSize && fixedPart[4] is < (byte)FrameKind.Request or > (byte)FrameKind.Pong)
            throw new FrameFormatException($"Unknown frame kind {fixedPart[4]}.");
        if (available < FrameHeader.Size)
            return false;
        var kind = (FrameKind)fixedPart[4];
        var requestId = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[5..]);
        var view = BinaryPrimitives.ReadInt64LittleEndian(fixedPart[9..]);
        header = new FrameHeader(kind, requestId, view, (int)length - FrameHeader.FixedSizeAfterLength);
        return true;
    }

    /// <summary>Writes a whole frame: header then <paramref name="payload"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The payload would exceed <paramref name="maxFrameBytes"/>.</exception>
    public static void WriteFrame(IBufferWriter<byte> output, FrameKind kind, uint requestId, long viewVersion, ReadOnlySpan<byte> payload, int maxFrameBytes = DefaultMaxFrameBytes)
    {
        var length = FrameHeader.FixedSizeAfterLength + payload.Length;
        if (length > maxFrameBytes)
            throw new ArgumentOutOfRangeException(nameof(payload), $"Frame of {length} bytes exceeds the cap of {maxFrameBytes} bytes.");
        var span = output.GetSpan(FrameHeader.Size + payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)length);
        span[4] = (byte)kind;
        BinaryPrimitives.WriteUInt32LittleEndian(span[5..], requestId);
        BinaryPrimitives.WriteInt64LittleEndian(span[9..], viewVersion);
        payload.CopyTo(span[FrameHeader.Size..]);
        output.Advance(FrameHeader.Size + payload.Length);
    }
}
