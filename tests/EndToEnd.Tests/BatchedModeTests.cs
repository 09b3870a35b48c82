using System.Diagnostics;
using Granary.EndToEnd.Tests.Infrastructure;

namespace Granary.EndToEnd.Tests;

/// <summary>Batched mode with real processes: token leases keep the shared bucket's bound; batched reports keep in-flight counts honest.</summary>
public sealed class BatchedModeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoBatchedGateways_HammeredFor2s_AdmitCapacityPlusRefillPlusAtMostOneLeaseEach()
    {
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec { Gateways = 2, Mode = "Batched" });
        await cluster.CreateClientAsync("batched-bucket", capacity: 20, ratePerSec: 1);

        var sw = Stopwatch.StartNew();
        var result = await LoadRunner.RunAsync(cluster.Http, [.. cluster.Gateways.Select(g => g.Url)],
            workers: 8, maxRequests: 20_000, maxDuration: TimeSpan.FromSeconds(2), clientId: "batched-bucket");
        var elapsedS = sw.Elapsed.TotalSeconds;

        var admitted = result.Count(200);
        output.WriteLine($"batched, capacity 20, 1 token/s, {elapsedS:0.00} s through 2 gateways: {admitted} admitted, {result.Count(429)} rejected");
        // A lease takes at most capacity / 4 = 5 tokens, so each gateway can hold at most 5 beyond the bucket.
        Assert.True(admitted >= 20, $"admitted {admitted}: {result}\n{cluster.Logs()}");
        Assert.True(admitted <= 20 + Math.Ceiling(elapsedS) + 1 + (2 * 5), $"admitted {admitted} in {elapsedS:0.00} s: {result}");
        Assert.True(result.Count(429) > 0, result.ToString());
        Assert.Equal(0, result.ServerErrors);
    }

    [Fact]
    public async Task BatchedGateways_SlowBackends_InFlightReportedThenBackToZero()
    {
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec { Gateways = 2, Mode = "Batched", BackendLatencyMs = [1500, 1500] });
        var before = (await cluster.GetBackendsAsync()).Sum(b => b.GetProperty("requests").GetInt64());
        using var pending = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var requests = cluster.Gateways.SelectMany(g => Enumerable.Range(0, 3).Select(_ => pending.GetAsync(g.Url + "/slow"))).ToList();

        // Counted within one batch interval (20 ms) plus a round trip, long before the 1.5 s responses.
        await Poll.UntilAsync(async () => await TotalInFlightAsync(cluster) == 6, TimeSpan.FromSeconds(5), "6 requests in flight in the backend grains");
        var responses = await Task.WhenAll(requests);
        Assert.All(responses, r => Assert.Equal(200, (int)r.StatusCode));
        await Poll.UntilAsync(async () => await TotalInFlightAsync(cluster) == 0, TimeSpan.FromSeconds(5), "in-flight back to 0");
        // Every finished request reached its backend grain in a batch.
        Assert.Equal(before + 6, (await cluster.GetBackendsAsync()).Sum(b => b.GetProperty("requests").GetInt64()));
    }

    private static async Task<long> TotalInFlightAsync(LocalCluster cluster) =>
        (await cluster.GetBackendsAsync()).Sum(b => b.GetProperty("in_flight").GetInt64());
}
