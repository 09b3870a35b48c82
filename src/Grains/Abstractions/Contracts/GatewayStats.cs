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
[GenerateSerializer, Immutable, Alias("granary.GatewayStats")]
public sealed record GatewayStats(
    [property: Id(0)] string GatewayId,
    [property: Id(1)] double RequestsPerSec,
    [property: Id(2)] bool Fallback,
    [property: Id(3)] bool SiloConnected,
    [property: Id(4)] long InFlight,
    [property: Id(5)] long ReportedAtUnixMs);
