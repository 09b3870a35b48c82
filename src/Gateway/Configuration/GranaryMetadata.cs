namespace Granary.Gateway.Configuration;

/// <summary>The Granary keys read from YARP cluster and destination <c>Metadata</c>.</summary>
internal static class GranaryMetadata
{
    /// <summary>Cluster: balancing policy name, one of <c>BalancingPolicyNames.All</c>; default <c>LeastConnections</c>.</summary>
    public const string Policy = "Granary.Policy";

    /// <summary>Cluster: path probed by the backend grain's active health check; default <c>/healthz</c>; <c>""</c> disables probing.</summary>
    public const string HealthPath = "Granary.Health.Path";

    /// <summary>Cluster: time between probes, ms; 100–3,600,000; default 2000.</summary>
    public const string HealthIntervalMs = "Granary.Health.IntervalMs";

    /// <summary>Cluster: probe timeout, ms; 1–600,000; default 1000.</summary>
    public const string HealthTimeoutMs = "Granary.Health.TimeoutMs";

    /// <summary>Cluster: consecutive good probes that mark a destination up; 1–100; default 2.</summary>
    public const string HealthRise = "Granary.Health.Rise";

    /// <summary>Cluster: consecutive failed probes that mark a destination down; 1–100; default 3.</summary>
    public const string HealthFall = "Granary.Health.Fall";

    /// <summary>Cluster: consecutive failed requests that eject a destination; 1–10,000; default 5.</summary>
    public const string OutlierConsecutiveFailures = "Granary.Outlier.ConsecutiveFailures";

    /// <summary>Cluster: first ejection length, ms; 100–3,600,000; default 30000.</summary>
    public const string OutlierBaseEjectionMs = "Granary.Outlier.BaseEjectionMs";

    /// <summary>
    /// Cluster: how in-flight counts and outcomes reach the backend grains: <c>Exact</c> (default; one
    /// report per request start and end) or <c>Batched</c> (the absolute count and the finished
    /// requests once per <c>Granary:Gateway:BatchIntervalMs</c>).
    /// </summary>
    public const string Mode = "Granary.Mode";

    /// <summary>Destination: relative weight; 1–1000; default 1.</summary>
    public const string Weight = "Granary.Weight";
}
