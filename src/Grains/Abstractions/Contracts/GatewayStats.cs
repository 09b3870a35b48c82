using Granary.Runtime.Serialization;

namespace Granary.Grains.Contracts;

/// <summary>
/// A gateway's heartbeat (argument of <see cref="IGatewayGrain.ReportAsync"/>, result of
/// <see cref="IGatewayGrain.GetStatsAsync"/>). Gateways send one every second.
/// Encoding: string, double, byte flags (1 = fallback, 2 = silo connected), int64, int64.
/// </summary>
/// <param name="GatewayId">The gateway's id (the grain key).</param>
/// <param name="RequestsPerSec">Requests the gateway received over the last second, requests/s.</param>
/// <param name="Fallback">True when the gateway decided locally (silo circuit open, or a local rate-limit/balancing decision) during the last second.</param>
/// <param name="SiloConnected">True when the gateway's cluster client is connected to at least one silo.</param>
/// <param name="InFlight">Requests the gateway has in flight to its destinations now (sum over destinations).</param>
/// <param name="ReportedAtUnixMs">
/// When the gateway grain received the report, ms since the Unix epoch, by the silo's clock (the
/// grain overwrites what the gateway sends, so clock skew does not matter); 0 = never reported.
/// </param>
public sealed record GatewayStats(
    string GatewayId,
    double RequestsPerSec,
    bool Fallback,
    bool SiloConnected,
    long InFlight,
    long ReportedAtUnixMs) : IGrainCodec<GatewayStats>
{
    /// <inheritdoc />
    public static void Write(GrainWriter writer, GatewayStats value)
    {
        writer.WriteString(value.GatewayId);
        writer.WriteDouble(value.RequestsPerSec);
        writer.WriteByte((byte)((value.Fallback ? 1 : 0) | (value.SiloConnected ? 2 : 0)));
        writer.WriteInt64(value.InFlight);
        writer.WriteInt64(value.ReportedAtUnixMs);
    }

    /// <inheritdoc />
    public static GatewayStats Read(ref GrainReader reader)
    {
        var id = reader.ReadString();
        var rps = reader.ReadDouble();
        var flags = reader.ReadByte();
        if (flags > 3)
            throw new GrainSerializationException($"Invalid gateway stats flags 0x{flags:x2}.");
        return new GatewayStats(id, rps, (flags & 1) != 0, (flags & 2) != 0, reader.ReadInt64(), reader.ReadInt64());
    }
}
