using Granary.EndToEnd.Tests.Infrastructure;

namespace Granary.EndToEnd.Tests;

/// <summary>A backend that dies is taken out of rotation; clients doing GETs never see a 5xx while others are healthy.</summary>
public sealed class HealthTests(ITestOutputHelper output)
{
    [Fact]
    public async Task BackendKilledUnderLoad_IsMarkedUnhealthy_AndGetsSeeNo5xx()
    {
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec { Gateways = 2, Policy = "RoundRobin" });
        var gateways = cluster.Gateways.Select(g => g.Url).ToList();

        var before = await LoadRunner.RunAsync(cluster.Http, gateways, workers: 4, maxRequests: 150, maxDuration: TimeSpan.FromSeconds(30));
        Assert.True(before.ByBackend.ContainsKey("b2"), before.ToString());

        using var stop = new CancellationTokenSource();
        var during = new LoadResult();
        var load = LoadRunner.RunAsync(cluster.Http, gateways, workers: 4, maxRequests: 100_000, maxDuration: TimeSpan.FromSeconds(30), into: during, stop: stop.Token);
        cluster.Backends[1].Process.KillHard();

        await Poll.UntilAsync(async () =>
        {
            var b2 = (await cluster.GetBackendsAsync()).Single(b => b.GetProperty("destination_id").GetString() == "b2");
            return !b2.GetProperty("healthy").GetBoolean();
        }, TimeSpan.FromSeconds(15), "b2 marked unhealthy in /api/backends");
        // Keep the load going a little past the health change, bounded by count.
        var seen = during.Total;
        await Poll.UntilAsync(() => Task.FromResult(during.Total >= seen + 200), TimeSpan.FromSeconds(20), "200 more requests");
        stop.Cancel();
        await load;

        output.WriteLine(during.ToString());
        Assert.Equal(0, during.ServerErrors);
        Assert.Equal(0, during.Count(-1));
        Assert.True(during.Count(200) >= 200, during.ToString());
    }

    [Fact]
    public async Task SiloKilled_GatewaysKeepServingWithLocalDecisions_AndSaySoInMetrics()
    {
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec { Gateways = 1 });
        var gateways = cluster.Gateways.Select(g => g.Url).ToList();
        var warm = await LoadRunner.RunAsync(cluster.Http, gateways, workers: 2, maxRequests: 50, maxDuration: TimeSpan.FromSeconds(20));
        Assert.Equal(50, warm.Count(200));

        cluster.Silo.KillHard();
        var after = await LoadRunner.RunAsync(cluster.Http, gateways, workers: 2, maxRequests: 100, maxDuration: TimeSpan.FromSeconds(60));
        output.WriteLine(after.ToString());
        Assert.Equal(100, after.Count(200));

        var metrics = await cluster.Http.GetStringAsync(gateways[0] + "/metrics");
        Assert.Contains("granary_gateway_fallback_decisions", metrics);
    }
}
