using Granary.Hosting.Http;
using Yarp.ReverseProxy.Configuration;

namespace Granary.Gateway.Configuration;

/// <summary>
/// The start-up check: reads the <c>ReverseProxy:Clusters</c> section directly and parses every
/// cluster's Granary settings before the host is built, so a bad value stops the process with a
/// clear message (the <see cref="GranaryConfigFilter"/> repeats the check on every reload).
/// </summary>
internal static class GatewayConfigValidator
{
    /// <summary>Checks every cluster of <paramref name="reverseProxy"/> and the gateway options.</summary>
    /// <exception cref="GatewayConfigurationException">One or more problems, all listed in the message.</exception>
    /// <param name="reverseProxy">The <c>ReverseProxy</c> section.</param>
    /// <param name="gateway">The gateway options.</param>
    /// <param name="rateLimit">The rate-limit options.</param>
    /// <param name="limits">The gateway's input limits (<c>Granary:Gateway:Limits</c>), when checked.</param>
    /// <param name="httpLimits">The HTTP limits of the same section, when checked.</param>
    /// <param name="clientProblems">The problems of the Orleans client's configuration (<see cref="Cluster.GatewayOrleansClient.Validate"/>), when checked.</param>
    public static void Validate(IConfiguration reverseProxy, GatewayOptions gateway, RateLimitOptions rateLimit,
        GatewayLimitsOptions? limits = null, HttpLimitsOptions? httpLimits = null, IEnumerable<string>? clientProblems = null)
    {
        var problems = new List<string>();
        foreach (var clusterSection in reverseProxy.GetSection("Clusters").GetChildren())
        {
            try
            {
                ClusterSettings.Parse(ReadCluster(clusterSection));
            }
            catch (GatewayConfigurationException ex)
            {
                problems.Add(ex.Message);
            }
        }
        problems.AddRange(gateway.Validate());
        problems.AddRange(rateLimit.Validate());
        if (limits is not null)
            problems.AddRange(limits.Validate());
        if (httpLimits is not null)
            problems.AddRange(httpLimits.Validate(GatewayLimitsOptions.Section));
        if (clientProblems is not null)
            problems.AddRange(clientProblems);
        if (problems.Count > 0)
            throw new GatewayConfigurationException("Invalid gateway configuration: " + string.Join(" ", problems));
    }

    /// <summary>Builds the part of a <see cref="ClusterConfig"/> Granary reads (metadata and destinations) from configuration.</summary>
    public static ClusterConfig ReadCluster(IConfigurationSection section)
    {
        var destinations = new Dictionary<string, DestinationConfig>(StringComparer.OrdinalIgnoreCase);
        foreach (var d in section.GetSection("Destinations").GetChildren())
            destinations[d.Key] = new DestinationConfig { Address = d["Address"] ?? "", Metadata = ReadMetadata(d.GetSection("Metadata")) };
        return new ClusterConfig
        {
            ClusterId = section.Key,
            Metadata = ReadMetadata(section.GetSection("Metadata")),
            Destinations = destinations,
        };
    }

    private static Dictionary<string, string>? ReadMetadata(IConfigurationSection section)
    {
        Dictionary<string, string>? result = null;
        foreach (var entry in section.GetChildren())
        {
            if (entry.Value is { } value)
                (result ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase))[entry.Key] = value;
        }
        return result;
    }
}
