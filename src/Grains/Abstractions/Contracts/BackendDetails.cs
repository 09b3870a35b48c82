namespace Granary.Grains.Contracts;

/// <summary>The full state of a backend grain (dashboard, <c>GET /api/backends</c>).</summary>
/// <param name="ClusterId">YARP cluster id.</param>
/// <param name="DestinationId">YARP destination id.</param>
/// <param name="Address">Destination address, null before configuration.</param>
/// <param name="Status">The balancing status.</param>
/// <param name="Contributions">Per-gateway in-flight contributions (unexpired).</param>
/// <param name="HealthReason">Why health last changed (active or passive, whether or not the destination is healthy after it), e.g. <c>"3 consecutive probe failures: connection refused"</c> or <c>"ejection of 30000 ms ended"</c>; empty if never. For why an unhealthy destination is down now, see <paramref name="DownReason"/>.</param>
/// <param name="HealthChangedUnixMs">When health last changed, ms since the Unix epoch; 0 if never.</param>
/// <param name="Ejections">Times ejected since activation.</param>
/// <param name="Policy">The balancing policy name of the destination's cluster as the gateways configured it (<see cref="BackendConfig.Policy"/>); null if none was sent.</param>
/// <param name="RequestsPerSec">Reported outcomes per second over the last 5 full seconds (fewer right after activation), requests/s.</param>
/// <param name="P99LatencyMs">99th percentile of the latencies of every outcome reported over the last 60 s (current second included), ms; 0 without samples. Histogram estimate: within ~9 % of the true value.</param>
/// <param name="History">One sample per full second since activation, oldest first, ending with the second before now; at most <see cref="MaxHistory"/> (the last 180 s); seconds without reports are zero samples.</param>
/// <param name="DownReason">Why the destination is not healthy now, from its current state: the active check (<c>"active check failed: connection refused (3 in a row)"</c>) and/or the ejection (<c>"ejected: 5 consecutive failures (last: ServerError), 30 s (12 s left)"</c>), joined by <c>"; "</c>; empty while healthy.</param>
/// <param name="DownSinceUnixMs">When the destination last went from healthy to not healthy, ms since the Unix epoch; 0 while healthy.</param>
[GenerateSerializer, Immutable, Alias("granary.BackendDetails")]
public sealed record BackendDetails(
    [property: Id(0)] string ClusterId,
    [property: Id(1)] string DestinationId,
    [property: Id(2)] string? Address,
    [property: Id(3)] BackendStatus Status,
    [property: Id(4)] IReadOnlyList<InFlightContribution> Contributions,
    [property: Id(5)] string HealthReason,
    [property: Id(6)] long HealthChangedUnixMs,
    [property: Id(7)] int Ejections,
    [property: Id(8)] string? Policy,
    [property: Id(9)] double RequestsPerSec,
    [property: Id(10)] double P99LatencyMs,
    [property: Id(11)] IReadOnlyList<BackendSample> History,
    [property: Id(12)] string DownReason,
    [property: Id(13)] long DownSinceUnixMs)
{
    /// <summary>The most samples <see cref="History"/> holds: 180 (3 minutes of one-second samples).</summary>
    public const int MaxHistory = 180;

}
