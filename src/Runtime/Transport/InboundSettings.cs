using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Transport;

/// <summary>What every <see cref="InboundConnection"/> of one grain port shares: limits, the handshake key, metrics, clock and log.</summary>
/// <param name="MaxFrameBytes">Largest accepted frame length field, bytes.</param>
/// <param name="MaxInFlight">Most calls running at once per connection.</param>
/// <param name="HandshakeTimeout">Deadline for the preamble and handshake.</param>
/// <param name="Key">HMAC key of the cluster secret (empty: no secret).</param>
/// <param name="Metrics">Where failures and limit hits are counted.</param>
/// <param name="Time">Clock for deadlines.</param>
/// <param name="Logger">Connection events.</param>
internal sealed record InboundSettings(int MaxFrameBytes, int MaxInFlight, TimeSpan HandshakeTimeout, byte[] Key, SiloTransportMetrics Metrics, TimeProvider Time, ILogger Logger);
