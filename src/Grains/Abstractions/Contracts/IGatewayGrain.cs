namespace Granary.Grains.Contracts;

/// <summary>
/// One per gateway process (grain type <c>"gateway"</c>, key = the gateway id). Holds the
/// gateway's last heartbeat for the dashboard; the gateway sends one every second and the
/// activation deactivates itself after 60 s without one, so the active gateway grains are the
/// live gateways.
/// </summary>
[Alias("granary.IGatewayGrain")]
public interface IGatewayGrain : IGrainWithStringKey
{
    /// <summary>
    /// Stores <paramref name="stats"/> as the latest heartbeat, stamping
    /// <see cref="GatewayStats.ReportedAtUnixMs"/> with the silo's clock on receipt.
    /// </summary>
    [Alias("Report"), ResponseTimeout(GrainCallTimeouts.HotPath)]
    ValueTask ReportAsync(GatewayStats stats);

    /// <summary>
    /// The latest heartbeat; when none was received by this activation, stats with the grain key as
    /// id, zero figures and <see cref="GatewayStats.ReportedAtUnixMs"/> = 0.
    /// </summary>
    [Alias("GetStats"), ReadOnly, ResponseTimeout(GrainCallTimeouts.Admin)]
    ValueTask<GatewayStats> GetStatsAsync();
}
