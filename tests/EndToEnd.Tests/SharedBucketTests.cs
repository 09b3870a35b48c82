using System.Diagnostics;
using System.Text.Json;
using Granary.EndToEnd.Tests.Infrastructure;

namespace Granary.EndToEnd.Tests;

/// <summary>Two gateways spend from one client's token bucket, held by one client grain.</summary>
public sealed class SharedBucketTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoGateways_HammeredFor2s_AdmitAboutCapacityPlusRefillNotTwice()
    {
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec { Gateways = 2 });
        await cluster.CreateClientAsync("shared-bucket", capacity: 20, ratePerSec: 1);

        var sw = Stopwatch.StartNew();
        var result = await LoadRunner.RunAsync(cluster.Http, [.. cluster.Gateways.Select(g => g.Url)],
            workers: 8, maxRequests: 20_000, maxDuration: TimeSpan.FromSeconds(2), clientId: "shared-bucket");
        var elapsedS = sw.Elapsed.TotalSeconds;

        var admitted = result.Count(200);
        output.WriteLine($"capacity 20, 1 token/s, {elapsedS:0.00} s through 2 gateways: {admitted} admitted, {result.Count(429)} rejected");
        // Capacity 20 plus 1 token/s over the run; two independent buckets would admit about 44.
        Assert.True(admitted >= 20, $"admitted {admitted}: {result}\n{cluster.Logs()}");
        Assert.True(admitted <= 20 + Math.Ceiling(elapsedS) + 1, $"admitted {admitted} in {elapsedS:0.00} s: {result}");
        Assert.True(result.Count(429) > 0, result.ToString());
        Assert.Equal(0, result.ServerErrors);
    }

    [Fact]
    public async Task RejectedRequest_Gets429ContractBodyAndHeaders()
    {
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec { Gateways = 1, BackendLatencyMs = [0] });
        await cluster.CreateClientAsync("tiny", capacity: 1, ratePerSec: 0.1);
        var url = cluster.Gateways[0].Url + "/";

        using var first = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "X-Client-ID", "tiny" } } };
        using var ok = await cluster.Http.SendAsync(first);
        Assert.Equal(200, (int)ok.StatusCode);
        Assert.Equal("1", ok.Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("0", ok.Headers.GetValues("RateLimit-Remaining").Single());

        using var second = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "X-Client-ID", "tiny" } } };
        using var limited = await cluster.Http.SendAsync(second);
        Assert.Equal(429, (int)limited.StatusCode);
        Assert.Equal("application/json", limited.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await limited.Content.ReadAsStringAsync());
        Assert.Equal(429, body.RootElement.GetProperty("code").GetInt32());
        Assert.Equal("Rate limit exceeded", body.RootElement.GetProperty("message").GetString());
        var retryAfter = int.Parse(limited.Headers.GetValues("Retry-After").Single());
        Assert.InRange(retryAfter, 1, 10);
        Assert.Equal("1", limited.Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("0", limited.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.True(int.Parse(limited.Headers.GetValues("RateLimit-Reset").Single()) >= 1);
    }
}
