namespace Granary.Runtime.Messaging;

/// <summary>
/// The fixed part of a frame. On the wire (little-endian):
/// <c>uint32 length | byte kind | uint32 requestId | int64 viewVersion | payload</c>,
/// where <c>length</c> counts every byte after itself (13 + payload length).
/// </summary>
/// <param name="Kind">What the frame carries.</param>
/// <param name="RequestId">Matches responses to requests on one connection; 0 for one-way frames.</param>
/// <param name="ViewVersion">The sender's membership view version.</param>
/// <param name="PayloadLength">Payload bytes after the header.</param>
public readonly record struct FrameHeader(FrameKind Kind, uint RequestId, long ViewVersion, int PayloadLength)
{
    /// <summary>Bytes of the length field.</summary>
    public const int LengthFieldSize = 4;

    /// <summary>Bytes after the length field and before the payload (kind 1 + request id 4 + view 8).</summary>
    public const int FixedSizeAfterLength = 13;

    /// <summary>Total header bytes (17).</summary>
    public const int Size = LengthFieldSize + FixedSizeAfterLength;
}
