using Granary.Runtime.Messaging;

namespace Granary.Runtime.Transport;

/// <summary>
/// An answer received on a client connection: its kind, the silo's view version and the payload,
/// copied into a <see cref="PooledBufferWriter"/> (null when empty; pooled writers keep their arrays,
/// so a steady stream of answers takes nothing from <c>ArrayPool</c>). Call <see cref="Release"/>
/// once after decoding.
/// </summary>
internal readonly record struct ResponseFrame(FrameKind Kind, long ViewVersion, PooledBufferWriter? Buffer)
{
    /// <summary>The payload bytes.</summary>
    public ReadOnlySpan<byte> Payload => Buffer is null ? default : Buffer.WrittenSpan;

    /// <summary>Returns the payload buffer to its pool.</summary>
    public void Release()
    {
        if (Buffer is not null)
            PooledBufferWriter.Return(Buffer);
    }
}
