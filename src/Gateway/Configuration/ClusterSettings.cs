using System.Globalization;
using Granary.Grains.Contracts;
using Granary.Grains.LoadBalancing;
using Yarp.ReverseProxy.Configuration;

namespace Granary.Gateway.Configuration;

/// <summary>
/// A cluster's Granary settings, parsed and checked from its YARP <see cref="ClusterConfig"/>
/// (<see cref="GranaryMetadata"/> keys in cluster and destination <c>Metadata</c>).
/// </summary>
/// <param name="ClusterId">YARP cluster id.</param>
/// <param name="Policy">Canonical policy name (one of <see cref="BalancingPolicyNames.All"/>).</param>
/// <param name="Destinations">One <see cref="BackendConfig"/> per destination, ordered by destination id (ordinal); each carries <paramref name="Policy"/> for the dashboard.</param>
/// <param name="Batched">True when <see cref="GranaryMetadata.Mode"/> is <c>Batched</c>: in-flight counts and outcomes go to the backend grains in batches.</param>
internal sealed record ClusterSettings(string ClusterId, string Policy, IReadOnlyList<BackendConfig> Destinations, bool Batched = false)
{
    /// <summary>Default policy when <see cref="GranaryMetadata.Policy"/> is absent.</summary>
    public const string DefaultPolicy = BalancingPolicyNames.LeastConnections;

    /// <summary>Default health path.</summary>
    public const string DefaultHealthPath = "/healthz";

    /// <summary>Parses and checks a cluster's settings.</summary>
    /// <exception cref="GatewayConfigurationException">A value is unknown or out of range; the message names every problem (and, for the policy, the valid names).</exception>
    public static ClusterSettings Parse(ClusterConfig cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var problems = new List<string>();
        var metadata = cluster.Metadata;
        var policy = ParsePolicy(Get(metadata, GranaryMetadata.Policy), problems);
        var batched = ConsistencyModes.Parse(Get(metadata, GranaryMetadata.Mode), GranaryMetadata.Mode, problems);
        var healthPath = Get(metadata, GranaryMetadata.HealthPath) is { } path ? path.Trim() : DefaultHealthPath;
        if (healthPath.Length > 0 && !healthPath.StartsWith('/'))
            problems.Add($"{GranaryMetadata.HealthPath} must be empty (no probing) or start with '/', got '{healthPath}'.");
        var interval = ParseInt(metadata, GranaryMetadata.HealthIntervalMs, 2000, 100, 3_600_000, problems);
        var timeout = ParseInt(metadata, GranaryMetadata.HealthTimeoutMs, 1000, 1, 600_000, problems);
        var rise = ParseInt(metadata, GranaryMetadata.HealthRise, 2, 1, 100, problems);
        var fall = ParseInt(metadata, GranaryMetadata.HealthFall, 3, 1, 100, problems);
        var failures = ParseInt(metadata, GranaryMetadata.OutlierConsecutiveFailures, 5, 1, 10_000, problems);
        var ejection = ParseInt(metadata, GranaryMetadata.OutlierBaseEjectionMs, 30_000, 100, 3_600_000, problems);

        var destinations = new List<BackendConfig>();
        if (cluster.Destinations is { } configured)
        {
            foreach (var (id, destination) in configured)
            {
                var weight = ParseInt(destination.Metadata, GranaryMetadata.Weight, 1, 1, 1000, problems, $"destination '{id}': ");
                destinations.Add(new BackendConfig(cluster.ClusterId, id, destination.Address, weight,
                    healthPath.Length == 0 ? null : healthPath, interval, timeout, rise, fall, failures, ejection, policy));
            }
        }
        destinations.Sort(static (a, b) => string.CompareOrdinal(a.DestinationId, b.DestinationId));

        if (problems.Count > 0)
            throw new GatewayConfigurationException($"Cluster '{cluster.ClusterId}': {string.Join(" ", problems)}");
        return new ClusterSettings(cluster.ClusterId, policy, destinations, batched);
    }

    private static string ParsePolicy(string? value, List<string> problems)
    {
        if (value is null || value.Trim().Length == 0)
            return DefaultPolicy;
        var trimmed = value.Trim();
        foreach (var name in BalancingPolicyNames.All)
        {
            if (string.Equals(name, trimmed, StringComparison.OrdinalIgnoreCase))
                return name;
        }
        problems.Add($"{GranaryMetadata.Policy} '{value}' is not a known policy; valid names: {string.Join(", ", BalancingPolicyNames.All)}.");
        return DefaultPolicy;
    }

    private static int ParseInt(IReadOnlyDictionary<string, string>? metadata, string key, int defaultValue, int min, int max,
        List<string> problems, string prefix = "")
    {
        var raw = Get(metadata, key);
        if (raw is null || raw.Trim().Length == 0)
            return defaultValue;
        if (int.TryParse(raw.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            return value;
        problems.Add($"{prefix}{key} must be an integer from {min} to {max}, got '{raw}'.");
        return defaultValue;
    }

    private static string? Get(IReadOnlyDictionary<string, string>? metadata, string key) =>
        metadata is not null && metadata.TryGetValue(key, out var value) ? value : null;
}
