using Granary.Grains.Contracts;

namespace Granary.Silo.Api;

/// <summary>
/// A backend grain's live state, as <c>/api/backends</c> shows it (policy, requests/s over ~5 s, p99 over ~60 s and a
/// 180 s history added in issue 4). <c>health_reason</c>/<c>health_changed_at</c> are the last health change;
/// <c>down_reason</c>/<c>down_since</c> say why an unhealthy destination is down now, and since when (null while healthy).
/// </summary>
internal sealed record BackendView(
    string ClusterId,
    string DestinationId,
    string? Address,
    bool Configured,
    bool Healthy,
    bool ActiveHealthy,
    bool Ejected,
    long InFlight,
    double EwmaLatencyMs,
    int Weight,
    long Requests,
    long Failures,
    string HealthReason,
    DateTimeOffset? HealthChangedAt,
    string? DownReason,
    DateTimeOffset? DownSince,
    int Ejections,
    IReadOnlyList<ContributionView> Contributions,
    string? Policy,
    double RequestsPerSec,
    double P99LatencyMs,
    IReadOnlyList<HistoryPointView> History)
{
    public static BackendView From(BackendDetails d) => new(
        d.ClusterId, d.DestinationId, d.Address,
        d.Status.Configured, d.Status.Healthy, d.Status.ActiveHealthy, d.Status.Ejected,
        d.Status.TotalInFlight, d.Status.EwmaLatencyMs, d.Status.Weight, d.Status.Requests, d.Status.Failures,
        d.HealthReason,
        d.HealthChangedUnixMs == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(d.HealthChangedUnixMs),
        string.IsNullOrEmpty(d.DownReason) ? null : d.DownReason,
        d.DownSinceUnixMs == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(d.DownSinceUnixMs),
        d.Ejections,
        d.Contributions.Select(static c => new ContributionView(c.GatewayId, c.InFlight, c.ExpiresInMs)).ToList(),
        d.Policy, d.RequestsPerSec, d.P99LatencyMs,
        d.History.Select(static h => new HistoryPointView(h.UnixMs, h.RequestsPerSec, h.LatencyMs)).ToList());
}
