using System.Diagnostics;
using System.Text.Json;
using Granary.EndToEnd.Tests.Infrastructure;

namespace Granary.EndToEnd.Tests;

/// <summary>
/// A cluster of silos on PostgreSQL losing a silo, a silo frozen past its lease, and the database
/// itself, under steady load through two gateways. Figures go to the test output.
/// </summary>
public sealed class ClusterFaultTests(ITestOutputHelper output)
{
    private const int LeaseMs = 5000;

    /// <summary>The silo whose activations include the client grain <paramref name="clientId"/>.</summary>
    private static async Task<SiloProcess> OwnerOfClientAsync(LocalCluster cluster, string clientId)
    {
        SiloProcess? owner = null;
        await Poll.UntilAsync(async () =>
        {
            foreach (var silo in cluster.Silos.Where(s => !s.Process.HasExited))
            {
                using var doc = JsonDocument.Parse(await cluster.Http.GetStringAsync(silo.HttpUrl + "/api/local/clients"));
                if (doc.RootElement.GetProperty("clients").EnumerateArray().Any(c => c.GetProperty("client_id").GetString() == clientId))
                {
                    owner = silo;
                    return true;
                }
            }
            return false;
        }, TimeSpan.FromSeconds(10), $"the silo hosting client grain {clientId}");
        return owner!;
    }

    private static Task<List<string?[]>> SiloRowsAsync(LocalCluster cluster, int grainPort) =>
        cluster.Database!.QueryAsync($"SELECT generation, status FROM granary_silo WHERE port = {grainPort} ORDER BY generation");

    [Fact]
    public async Task SiloKilledUnderLoad_IsDeclaredDead_RequestsKeepSucceeding_BucketOverAdmitsLittle()
    {
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec
        {
            PostgresSilos = 3, Gateways = 2, FallbackCapacity = 5, FallbackRatePerSec = 5,
        });
        const int capacity = 40, rate = 20;
        await cluster.CreateClientAsync("failover", capacity, rate);
        var gateways = cluster.Gateways.Select(g => g.Url).ToList();
        var warm = await LoadRunner.RunAsync(cluster.Http, gateways, workers: 1, maxRequests: 1, maxDuration: TimeSpan.FromSeconds(10), clientId: "failover");
        Assert.Equal(1, warm.Count(200));
        var owner = await OwnerOfClientAsync(cluster, "failover");

        using var stop = new CancellationTokenSource();
        var limited = new LoadResult();
        var general = new LoadResult();
        var sw = Stopwatch.StartNew();
        var limitedLoad = LoadRunner.RunAsync(cluster.Http, gateways, 4, 1_000_000, TimeSpan.FromSeconds(60), clientId: "failover", into: limited, stop: stop.Token);
        var generalLoad = LoadRunner.RunAsync(cluster.Http, gateways, 4, 1_000_000, TimeSpan.FromSeconds(60), into: general, stop: stop.Token);

        await Task.Delay(TimeSpan.FromSeconds(3)); // steady state before the fault (load, not synchronisation)
        var killedAt = sw.Elapsed;
        owner.Process.KillHard();
        await Poll.UntilAsync(async () => (await SiloRowsAsync(cluster, owner.GrainPort)).Any(r => r[1] == "4"), TimeSpan.FromSeconds(30), "the killed silo declared Dead");
        var declaredAfter = sw.Elapsed - killedAt;
        // The grain re-activates on a survivor.
        var newOwner = await OwnerOfClientAsync(cluster, "failover");
        await Task.Delay(TimeSpan.FromSeconds(3)); // steady state after the failover
        stop.Cancel();
        await Task.WhenAll(limitedLoad, generalLoad);
        var elapsedS = sw.Elapsed.TotalSeconds + 0.1; // the warm-up request's token is inside the capacity

        var admitted = limited.Count(200) + 1;
        var allowed = capacity + rate * elapsedS;
        var overAdmitted = admitted - allowed;
        var failed = limited.ServerErrors + limited.Count(-1) + general.ServerErrors + general.Count(-1);
        output.WriteLine($"dead silo declared after {declaredAfter.TotalSeconds:0.00} s (lease {LeaseMs} ms); client grain moved to {newOwner.HttpUrl}");
        output.WriteLine($"requests: {limited.Total + general.Total}, failed: {failed}; limited client: {admitted} admitted in {elapsedS:0.0} s, allowed {allowed:0}, over-admitted {overAdmitted:0}");
        output.WriteLine($"limited: {limited}\ngeneral: {general}");

        Assert.NotEqual(owner, newOwner);
        Assert.InRange(declaredAfter.TotalSeconds, 0, 12);
        Assert.Equal(0, failed);
        Assert.True(general.Count(200) > 100, general.ToString());
        // Bound: the local fallback buckets of both gateways during detection plus ≤ 1 s of unflushed spending.
        Assert.True(overAdmitted <= 2 * (5 + 5 * declaredAfter.TotalSeconds) + rate + 5, $"over-admitted {overAdmitted:0}\n{cluster.Logs()}");
    }

    [Fact]
    public async Task SiloFrozenPastItsLease_FencesItself_RejoinsAsNewGeneration_NoOverlapBeyondBound()
    {
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec { PostgresSilos = 3, Gateways = 2 });
        var gateways = cluster.Gateways.Select(g => g.Url).ToList();
        var frozen = cluster.Silos[1];

        using var stop = new CancellationTokenSource();
        var results = new LoadResult();
        // Many client ids, so client grains live on every silo.
        var loads = Enumerable.Range(0, 12).Select(i =>
            LoadRunner.RunAsync(cluster.Http, gateways, 1, 1_000_000, TimeSpan.FromSeconds(90), clientId: $"c{i}", into: results, stop: stop.Token)).ToList();

        await Task.Delay(TimeSpan.FromSeconds(2));
        var generationBefore = (await SiloRowsAsync(cluster, frozen.GrainPort)).Single()[0];
        frozen.Process.Signal(HostProcess.SigStop);
        await Poll.UntilAsync(async () => (await SiloRowsAsync(cluster, frozen.GrainPort)).Any(r => r[0] == generationBefore && r[1] == "4"),
            TimeSpan.FromSeconds(30), "the frozen silo declared Dead");
        await Task.Delay(TimeSpan.FromSeconds(2)); // frozen well past its lease
        frozen.Process.Signal(HostProcess.SigCont);

        await Poll.UntilAsync(async () => (await SiloRowsAsync(cluster, frozen.GrainPort)).Any(r => r[0] != generationBefore && r[1] == "2"),
            TimeSpan.FromSeconds(30), "the thawed silo rejoined as a new generation");
        await Task.Delay(TimeSpan.FromSeconds(3)); // traffic on the new view
        stop.Cancel();
        await Task.WhenAll(loads);
        var loadStoppedMicros = (DateTimeOffset.UtcNow.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
        foreach (var silo in cluster.Silos)
            await silo.Process.StopAsync(TimeSpan.FromSeconds(15)); // flushes the turn logs

        // Only the turns up to the end of the load: the stop that follows (silos one by one, each
        // redirecting for its drain while the gateways' renewals and heartbeats go on) moves grains
        // back to incarnations that served them before, which the per-incarnation span measure would
        // count as overlap; that stop is not the scenario under test.
        var turns = TurnLog.Read(cluster.Silos.Select(s => s.TurnLog)).Where(t => t.StartMicros <= loadStoppedMicros).ToList();
        var (maxOverlapMs, grain, moved) = TurnLog.MaxOwnerOverlap(turns);
        var failed = results.ServerErrors + results.Count(-1);
        output.WriteLine($"turns logged: {turns.Count}; grains that changed owner: {moved}; largest owner overlap: {maxOverlapMs:0} ms ({grain ?? "none"}); bound {LeaseMs} ms");
        output.WriteLine($"requests: {results.Total}, failed: {failed}: {results}");

        Assert.True(turns.Count > 100, $"only {turns.Count} turns logged");
        Assert.True(moved > 0, "no grain changed owner: the freeze moved nothing");
        Assert.True(maxOverlapMs <= LeaseMs, $"two silos served {grain} at once for {maxOverlapMs:0} ms");
        Assert.Equal(0, failed);
    }

    [Fact]
    public async Task DatabaseStoppedFor10s_GatewaysKeepServing_NothingWrittenBeforeIsLost()
    {
        await using var pg = await PrivatePostgres.StartAsync();
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec { PostgresSilos = 2, Gateways = 2, PostgresServer = pg.ConnectionString });
        var gateways = cluster.Gateways.Select(g => g.Url).ToList();
        await cluster.CreateClientAsync("durable", capacity: 1000, ratePerSec: 0.01);
        var spent = await LoadRunner.RunAsync(cluster.Http, gateways, workers: 2, maxRequests: 30, maxDuration: TimeSpan.FromSeconds(20), clientId: "durable");
        Assert.Equal(30, spent.Count(200));
        // Written before the outage: the registry row and the bucket's state (write-behind ≤ 1 s).
        await Poll.UntilAsync(async () => (await cluster.Database!.QueryAsync(
            "SELECT 1 FROM granary_grain_state WHERE grain_type = 'client' AND grain_key = 'durable'")).Count == 1,
            TimeSpan.FromSeconds(5), "the bucket's state written to PostgreSQL");

        await pg.StopAsync();
        var during = await LoadRunner.RunAsync(cluster.Http, gateways, workers: 4, maxRequests: 1_000_000, maxDuration: TimeSpan.FromSeconds(10));
        await pg.RestartAsync();
        output.WriteLine($"during the 10 s outage: {during}");
        Assert.Equal(0, during.ServerErrors + during.Count(-1));
        Assert.True(during.Count(200) > 100, during.ToString());

        // The cluster comes back: both silos Active again (as new generations if they fenced), and the
        // client's grain answers with live state once the silos agree on the view.
        var restarted = Stopwatch.StartNew();
        await Poll.UntilAsync(async () => (await cluster.Database!.QueryAsync(
            "SELECT count(*) FROM granary_silo WHERE status = 2")).Single()[0] == "2", TimeSpan.FromSeconds(30), "two Active silos after the outage");
        JsonElement client = default;
        await Poll.UntilAsync(async () =>
        {
            using var doc = JsonDocument.Parse(await cluster.Http.GetStringAsync(cluster.SiloUrl + "/clients/durable"));
            client = doc.RootElement.Clone();
            return client.GetProperty("tokens").ValueKind == JsonValueKind.Number;
        }, TimeSpan.FromSeconds(30), "the client grain answering after the outage");
        output.WriteLine($"after the outage (grains answering {restarted.Elapsed.TotalSeconds:0.0} s after PostgreSQL came back): {client}");
        Assert.Equal(1000, client.GetProperty("capacity").GetInt64());
        // 30 tokens were spent at 0.01 tokens/s: a bucket that lost its state would be full again.
        Assert.True(client.GetProperty("tokens").GetDouble() <= 975, client.ToString());
    }
}
