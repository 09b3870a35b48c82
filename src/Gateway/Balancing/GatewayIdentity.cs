using Granary.Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Balancing;

/// <summary>This gateway's id (<see cref="GatewayOptions.Id"/>, default <c>{hostname}-{pid}-{random4}</c>) and lease.</summary>
internal sealed class GatewayIdentity
{
    public GatewayIdentity(IOptions<GatewayOptions> options)
    {
        var configured = options.Value.Id?.Trim();
        Id = string.IsNullOrEmpty(configured) ? CreateDefaultId(Environment.MachineName, Environment.ProcessId, Random.Shared) : configured;
        LeaseMs = options.Value.InFlightLeaseMs;
    }

    /// <summary>The id sent with every in-flight report.</summary>
    public string Id { get; }

    /// <summary>Lease of each in-flight report, ms.</summary>
    public int LeaseMs { get; }

    /// <summary><c>{hostname}-{pid}-{4 random hex digits}</c>.</summary>
    public static string CreateDefaultId(string hostName, int processId, Random random) =>
        $"{hostName}-{processId}-{random.Next(0x10000):x4}";
}
