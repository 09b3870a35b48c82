using System.Buffers;
using Granary.Runtime.Messaging;

namespace Granary.Runtime.Transport;

/// <summary>
/// An answer received on a client connection: its kind, the silo's view version and the payload,
/// copied into an <see cref="ArrayPool{T}"/> array (null when empty). Call <see cref="Release"/>
/// once after decoding.
/// </summary>
internal readonly record struct ResponseFrame(FrameKind Kind, long ViewVersion, byte[]? Buffer, int Length)
{
    /// <summary>The payload bytes.</summary>
    public ReadOnlySpan<byte> Payload => Buffer is null ? default : Buffer.AsSpan(0, Length);

    /// <summary>Returns the payload array to the pool.</summary>
    public void Release()
    {
        if (Buffer is not null)
            ArrayPool<byte>.Shared.Return(Buffer);
    }
}
