using Granary.EndToEnd.Tests.Infrastructure;

namespace Granary.EndToEnd.Tests;

/// <summary>Gateways come and go: a killed one leaks no in-flight counts; a stopped one drains first.</summary>
public sealed class GatewayLifecycleTests(ITestOutputHelper output)
{
    private static async Task<long> TotalInFlightAsync(LocalCluster cluster) =>
        (await cluster.GetBackendsAsync()).Sum(b => b.GetProperty("in_flight").GetInt64());

    [Fact]
    public async Task GatewayKilledMidRequest_LeaksNoInFlightCount_OnceLeaseExpires()
    {
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec
        {
            Gateways = 1, BackendLatencyMs = [20_000, 20_000], InFlightLeaseMs = 2000, RenewIntervalMs = 300,
        });
        var gw = cluster.Gateways[0];
        using var pending = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var requests = Enumerable.Range(0, 6).Select(_ => pending.GetAsync(gw.Url + "/slow")).ToList();

        await Poll.UntilAsync(async () => await TotalInFlightAsync(cluster) == 6, TimeSpan.FromSeconds(15), "6 requests in flight");
        var killed = System.Diagnostics.Stopwatch.StartNew();
        gw.Process.KillHard();

        // The backends still hold the requests for ~20 s; only the lease can bring the count back to 0.
        await Poll.UntilAsync(async () => await TotalInFlightAsync(cluster) == 0, TimeSpan.FromSeconds(10), "in-flight count back to 0 after the lease");
        output.WriteLine($"[fault] gateway SIGKILLed with 6 requests in flight: cluster-wide in-flight count back to 0 after {killed.Elapsed.TotalSeconds:0.0} s (lease 2 s), 0 leaked");
        foreach (var r in requests)
            await Assert.ThrowsAnyAsync<Exception>(() => r);
    }

    [Fact]
    public async Task GatewaySigterm_DrainsInFlightRequests_AndReleasesTheirSlots()
    {
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec { Gateways = 1, BackendLatencyMs = [1500, 1500] });
        var gw = cluster.Gateways[0];
        using var pending = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var requests = Enumerable.Range(0, 4).Select(_ => pending.GetAsync(gw.Url + "/drain")).ToList();
        await Poll.UntilAsync(async () => await TotalInFlightAsync(cluster) == 4, TimeSpan.FromSeconds(15), "4 requests in flight");

        await gw.Process.StopAsync(TimeSpan.FromSeconds(20));

        foreach (var r in requests)
            Assert.Equal(200, (int)(await r).StatusCode);
        Assert.Equal(0, gw.Process.ExitCode);
        // The drained requests released their slots: the count is 0 long before the 10 s lease.
        await Poll.UntilAsync(async () => await TotalInFlightAsync(cluster) == 0, TimeSpan.FromSeconds(3), "slots released on drain");
    }
}
