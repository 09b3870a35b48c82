using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Granary.EndToEnd.Tests.Infrastructure;
using Granary.Grains.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Granary.EndToEnd.Tests;

/// <summary>
/// The README's rolling-restart procedure under steady load: every gateway, then every silo, one at
/// a time, each with SIGTERM (graceful) and a fresh process on the same ports. The load models a
/// front with health checks (a connection refused by a gateway that is down goes to the other one).
/// </summary>
public sealed partial class RollingRestartTests(ITestOutputHelper output)
{
    private const long TightCapacity = 20;
    private const double TightRate = 10;
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(35);

    [Fact]
    public async Task RollingRestart_EveryGatewayThenEverySilo_ZeroFailedRequests_LimitsAndTokensSurvive()
    {
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec
        {
            PostgresSilos = 3, Gateways = 2,
        });
        await cluster.CreateClientAsync("rr-free", 1_000_000_000, 1_000_000_000);
        await cluster.CreateClientAsync("rr-tight", TightCapacity, TightRate);
        string[] clients = ["rr-free", "rr-tight", "rr-a", "rr-b", "rr-c", "rr-d", "rr-e", "rr-f"];

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var stop = new CancellationTokenSource();
        var result = new FailoverLoadResult();
        var sw = Stopwatch.StartNew();
        var load = FailoverLoad.RunAsync(http, () => [.. cluster.Gateways.Select(g => g.Url)], clients, workers: 8, ratePerWorker: 20, result, stop.Token);

        var steps = new List<string>();
        var fallbacks = new Dictionary<string, long>();
        var last = result.Snapshot();
        void Step(string what, TimeSpan took)
        {
            var now = result.Snapshot();
            steps.Add($"{what,-22} {took.TotalSeconds,5:0.0} s  200×{now.Ok - last.Ok}  429×{now.Limited - last.Limited}  failed×{now.Failed - last.Failed}  rerouted×{now.Rerouted - last.Rerouted}");
            last = now;
        }

        await Task.Delay(TimeSpan.FromSeconds(2)); // steady state first (load, not synchronisation)
        Step("warm-up", TimeSpan.FromSeconds(2));
        for (var i = 0; i < cluster.Gateways.Count; i++)
        {
            var t = Stopwatch.StartNew();
            await AddFallbacksAsync(cluster.Http, cluster.Gateways[i].Url, fallbacks);
            await cluster.RestartGatewayAsync(i, Grace);
            var url = cluster.Gateways[i].Url;
            await Poll.UntilAsync(async () => (await cluster.Http.GetStringAsync(url + "/healthz")).Contains("\"silo_connected\":true", StringComparison.Ordinal),
                TimeSpan.FromSeconds(30), $"{cluster.Gateways[i].Id} connected to a silo");
            Step($"restart {cluster.Gateways[i].Id}", t.Elapsed);
        }
        for (var i = 0; i < cluster.Silos.Count; i++)
        {
            var t = Stopwatch.StartNew();
            var silo = await cluster.RestartSiloAsync(i, Grace);
            await Poll.UntilAsync(async () => await ActiveSilosAsync(cluster) == cluster.Silos.Count, TimeSpan.FromSeconds(30),
                $"{silo.Process.Name} Active again in membership");
            Step($"restart {silo.Process.Name}", t.Elapsed);
        }
        await Task.Delay(TimeSpan.FromSeconds(1)); // traffic on the final view
        stop.Cancel();
        await load;
        var elapsedS = sw.Elapsed.TotalSeconds;
        Step("settle", TimeSpan.FromSeconds(1));
        foreach (var g in cluster.Gateways)
            await AddFallbacksAsync(cluster.Http, g.Url, fallbacks);

        output.WriteLine(string.Join('\n', steps));
        output.WriteLine($"total {elapsedS:0.0} s: {result}");
        output.WriteLine($"gateway counters: {string.Join(", ", fallbacks.Select(kv => $"{kv.Key}×{kv.Value}"))}");

        Assert.True(result.Failed == 0, $"{result}\n{cluster.Logs()}");
        Assert.True(result.Ok > 1000, result.ToString());
        Assert.True(result.Limited > 0, "the tight client was never limited: " + result);

        // The registry rows are what was created.
        var rows = await cluster.Database!.QueryAsync("SELECT client_id, capacity, rate_per_sec FROM granary_client ORDER BY client_id");
        Assert.Equal([["rr-free", "1000000000", "1000000000"], ["rr-tight", "20", "10"]], rows.Select(r => r.ToArray()).ToArray());
        // The tight client's bucket admitted no more than its limits allow over the run plus the
        // documented failover over-admission: per move of its grain (a silo leaving, and coming back:
        // 2 per silo restart) what the old activation admitted since its last write-behind (≤ 1 s of
        // its rate), plus what the gateways' local fallback buckets admitted (≤ their rate-limit decisions).
        var admitted = result.OkByClient.GetValueOrDefault("rr-tight");
        var bound = TightCapacity + TightRate * elapsedS + 2 * cluster.Silos.Count * TightRate + RateLimitFallbacks(fallbacks);
        output.WriteLine($"rr-tight: {admitted} admitted in {elapsedS:0.0} s; capacity + rate × duration = {TightCapacity + TightRate * elapsedS:0}; bound with failover {bound:0}");
        Assert.InRange(admitted, 1, (long)bound);
        // Stored tokens of every client grain within 0..capacity.
        await Poll.UntilAsync(async () => (await StoredTokensAsync(cluster)).ContainsKey("rr-tight"), TimeSpan.FromSeconds(5), "rr-tight's bucket written");
        foreach (var (client, tokens) in await StoredTokensAsync(cluster))
        {
            var capacity = client switch { "rr-tight" => TightCapacity, "rr-free" => 1_000_000_000, _ => 1_000_000 };
            Assert.InRange(tokens, 0, capacity);
        }
        // The live grain agrees with the registry.
        using var doc = JsonDocument.Parse(await cluster.Http.GetStringAsync(cluster.SiloUrl + "/clients/rr-tight"));
        Assert.Equal(TightCapacity, doc.RootElement.GetProperty("capacity").GetInt64());
        Assert.Equal(TightRate, doc.RootElement.GetProperty("rate_per_sec").GetDouble());
    }

    /// <summary>Adds a gateway's fallback-decision and grain-call-failure counters (Prometheus text) to <paramref name="into"/>, by series.</summary>
    private static async Task AddFallbacksAsync(HttpClient http, string gatewayUrl, Dictionary<string, long> into)
    {
        foreach (var line in (await http.GetStringAsync(gatewayUrl + "/metrics")).Split('\n'))
        {
            var m = FallbackLine().Match(line);
            if (m.Success)
                into[m.Groups[1].Value] = into.GetValueOrDefault(m.Groups[1].Value) + (long)double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        }
    }

    [GeneratedRegex("""^granary_gateway_((?:fallback_decisions|grain_call_failures)(?:_total)?\{[^}]*\})\s+(\S+)""")]
    private static partial Regex FallbackLine();

    private static long RateLimitFallbacks(Dictionary<string, long> series) =>
        series.Where(kv => kv.Key.StartsWith("fallback_decisions", StringComparison.Ordinal) && kv.Key.Contains("kind=\"rate_limit\"", StringComparison.Ordinal)).Sum(kv => kv.Value);

    private static async Task<int> ActiveSilosAsync(LocalCluster cluster) =>
        int.Parse((await cluster.Database!.QueryAsync("SELECT count(*)::text FROM granary_orleans_silo WHERE status = 3")).Single()[0]!, CultureInfo.InvariantCulture);

    private static readonly Serializer StateSerializer = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(ClientBucketState).Assembly)).BuildServiceProvider().GetRequiredService<Serializer>();

    /// <summary>Tokens of every stored client bucket (state <c>bucket</c>, a <see cref="ClientBucketState"/> in Orleans's own serialization).</summary>
    private static async Task<Dictionary<string, double>> StoredTokensAsync(LocalCluster cluster)
    {
        var rows = await cluster.Database!.QueryAsync(
            "SELECT grain_id_ext, encode(payload, 'hex') FROM granary_orleans_grain_state WHERE state_name = 'bucket' AND payload IS NOT NULL");
        return rows.ToDictionary(r => r[0]!, r => StateSerializer.Deserialize<ClientBucketState>(Convert.FromHexString(r[1]!))!.Tokens);
    }
}
