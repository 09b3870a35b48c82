using Granary.Runtime.Messaging;

namespace Granary.Runtime.Transport;

/// <summary>
/// A frame waiting in a connection's outbound queue. The writer loop encodes it and then
/// returns <see cref="Payload"/> to its pool; null means no payload.
/// </summary>
internal readonly record struct OutboundFrame(FrameKind Kind, uint RequestId, long ViewVersion, PooledBufferWriter? Payload);
