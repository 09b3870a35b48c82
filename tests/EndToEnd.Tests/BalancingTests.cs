using Granary.EndToEnd.Tests.Infrastructure;

namespace Granary.EndToEnd.Tests;

/// <summary>Cluster-wide least connections against round robin, with one slow backend, across two gateways.</summary>
public sealed class BalancingTests(ITestOutputHelper output)
{
    private async Task<double> SlowShareAsync(string policy)
    {
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec { Gateways = 2, Policy = policy, BackendLatencyMs = [0, 0, 250] });
        var result = await LoadRunner.RunAsync(cluster.Http, [.. cluster.Gateways.Select(g => g.Url)],
            workers: 12, maxRequests: 360, maxDuration: TimeSpan.FromSeconds(60));
        Assert.True(result.Count(200) == result.Total, $"{policy}: {result}\n{cluster.Logs()}");
        output.WriteLine($"{policy}: {result}");
        return result.Share("b3");
    }

    [Fact]
    public async Task LeastConnections_UnevenLatency_SendsClearlyFewerToSlowBackendThanRoundRobin()
    {
        var roundRobin = await SlowShareAsync("RoundRobin");
        var leastConnections = await SlowShareAsync("LeastConnections");
        output.WriteLine($"slow backend share: RoundRobin {roundRobin:P1}, LeastConnections {leastConnections:P1}");

        Assert.InRange(roundRobin, 0.25, 0.42);
        Assert.True(leastConnections < roundRobin / 2, $"LeastConnections {leastConnections:P1} vs RoundRobin {roundRobin:P1}");
    }
}
