using System.Diagnostics;
using System.Text.Json;
using Granary.EndToEnd.Tests.Infrastructure;

namespace Granary.EndToEnd.Tests;

/// <summary>
/// A cluster of silos on PostgreSQL (Orleans's ADO.NET membership) losing a silo, a silo frozen until it is
/// declared dead, and the database itself, under steady load through two gateways. Figures go to the test output.
/// </summary>
public sealed class ClusterFaultTests(ITestOutputHelper output)
{
    /// <summary>
    /// Failure detection with Granary's membership defaults: ProbeTimeout (1 s) × NumMissedProbesLimit (3), plus a
    /// probe period and the table write, is about 4 s; the issue's goal is 5 s. Also the stated bound of two
    /// activations' overlap: a frozen silo serves nothing while frozen, and on waking drops requests older than their
    /// response timeout and learns from the table (refreshed every 2 s) that it was declared dead.
    /// </summary>
    private const int DetectionBoundMs = 5000;

    /// <summary>Orleans's <c>SiloStatus</c> values in <c>granary_orleans_silo.status</c>.</summary>
    private const string Active = "3", Dead = "6";

    /// <summary>The silo that hosts the client grain <paramref name="clientId"/>, as any live silo's grain API says.</summary>
    private static async Task<SiloProcess> OwnerOfClientAsync(LocalCluster cluster, string clientId, SiloProcess? not = null)
    {
        SiloProcess? owner = null;
        await Poll.UntilAsync(async () =>
        {
            var asked = cluster.Silos.First(s => !s.Process.HasExited && s != not);
            using var doc = JsonDocument.Parse(await cluster.Http.GetStringAsync(asked.HttpUrl + "/api/grains/client/" + clientId));
            var address = doc.RootElement.GetProperty("owner").GetString();
            owner = cluster.Silos.FirstOrDefault(s => address is not null && address.Contains($":{s.SiloPort}@", StringComparison.Ordinal));
            return owner is not null && owner != not;
        }, TimeSpan.FromSeconds(15), $"the silo hosting client grain {clientId}");
        return owner!;
    }

    private static Task<List<string?[]>> SiloRowsAsync(LocalCluster cluster, int siloPort) =>
        cluster.Database!.QueryAsync($"SELECT generation::text, status::text FROM granary_orleans_silo WHERE port = {siloPort} ORDER BY generation");

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
        await Poll.UntilAsync(async () => (await SiloRowsAsync(cluster, owner.SiloPort)).Any(r => r[1] == Dead), TimeSpan.FromSeconds(30), "the killed silo declared Dead");
        var declaredAfter = sw.Elapsed - killedAt;
        // The grain re-activates on a survivor.
        var newOwner = await OwnerOfClientAsync(cluster, "failover", not: owner);
        await Task.Delay(TimeSpan.FromSeconds(3)); // steady state after the failover
        stop.Cancel();
        await Task.WhenAll(limitedLoad, generalLoad);
        var elapsedS = sw.Elapsed.TotalSeconds + 0.1; // the warm-up request's token is inside the capacity

        var admitted = limited.Count(200) + 1;
        var allowed = capacity + rate * elapsedS;
        var overAdmitted = admitted - allowed;
        var failed = limited.ServerErrors + limited.Count(-1) + general.ServerErrors + general.Count(-1);
        output.WriteLine($"[fault] SIGKILL: silo declared Dead after {declaredAfter.TotalSeconds:0.00} s (goal {DetectionBoundMs} ms); client grain moved to {newOwner.HttpUrl}");
        output.WriteLine($"requests: {limited.Total + general.Total}, failed: {failed}; limited client: {admitted} admitted in {elapsedS:0.0} s, allowed {allowed:0}, over-admitted {overAdmitted:0}");
        output.WriteLine($"limited: {limited}\ngeneral: {general}");

        Assert.NotEqual(owner, newOwner);
        Assert.InRange(declaredAfter.TotalMilliseconds, 0, 2 * DetectionBoundMs);
        Assert.Equal(0, failed);
        Assert.True(general.Count(200) > 100, general.ToString());
        // Bound: the local fallback buckets of both gateways during detection plus ≤ 1 s of unflushed spending.
        Assert.True(overAdmitted <= 2 * (5 + 5 * declaredAfter.TotalSeconds) + rate + 5, $"over-admitted {overAdmitted:0}\n{cluster.Logs()}");
    }

    [Fact]
    public async Task SiloFrozen_IsDeclaredDead_StopsItselfOnWaking_RestartedAsNewGeneration_OverlapAndOverAdmissionBounded()
    {
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec
        {
            PostgresSilos = 3, Gateways = 2, FallbackCapacity = 5, FallbackRatePerSec = 5,
        });
        const int capacity = 40, rate = 20;
        await cluster.CreateClientAsync("frozen", capacity, rate);
        var gateways = cluster.Gateways.Select(g => g.Url).ToList();
        var warm = await LoadRunner.RunAsync(cluster.Http, gateways, workers: 1, maxRequests: 1, maxDuration: TimeSpan.FromSeconds(10), clientId: "frozen");
        Assert.Equal(1, warm.Count(200));
        var frozen = await OwnerOfClientAsync(cluster, "frozen");
        var index = cluster.Silos.IndexOf(frozen);

        using var stop = new CancellationTokenSource();
        var limited = new LoadResult();
        var results = new LoadResult();
        var sw = Stopwatch.StartNew();
        var limitedLoad = LoadRunner.RunAsync(cluster.Http, gateways, 4, 1_000_000, TimeSpan.FromSeconds(90), clientId: "frozen", into: limited, stop: stop.Token);
        // Many client ids, so client grains live on every silo.
        var loads = Enumerable.Range(0, 12).Select(i =>
            LoadRunner.RunAsync(cluster.Http, gateways, 1, 1_000_000, TimeSpan.FromSeconds(90), clientId: $"c{i}", into: results, stop: stop.Token)).ToList();

        await Task.Delay(TimeSpan.FromSeconds(3)); // steady state first (load, not synchronisation)
        var generationBefore = (await SiloRowsAsync(cluster, frozen.SiloPort)).Single()[0];
        var frozenAt = sw.Elapsed;
        frozen.Process.Signal(HostProcess.SigStop);
        await Poll.UntilAsync(async () => (await SiloRowsAsync(cluster, frozen.SiloPort)).Any(r => r[0] == generationBefore && r[1] == Dead),
            TimeSpan.FromSeconds(30), "the frozen silo declared Dead");
        var declaredAfter = sw.Elapsed - frozenAt;
        await OwnerOfClientAsync(cluster, "frozen", not: frozen);
        await Task.Delay(TimeSpan.FromSeconds(2)); // the grains run elsewhere for a while
        frozen.Process.Signal(HostProcess.SigCont);

        // Orleans stops a silo that learns it was declared dead; it comes back as a new generation, as run.sh does it.
        var exited = Stopwatch.StartNew();
        await Poll.UntilAsync(() => Task.FromResult(frozen.Process.HasExited), TimeSpan.FromSeconds(30), "the thawed silo stopping itself");
        output.WriteLine($"[fault] SIGSTOP: the thawed silo stopped itself {exited.Elapsed.TotalSeconds:0.0} s after SIGCONT");
        var restarted = await cluster.RestartSiloAsync(index, TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(async () => (await SiloRowsAsync(cluster, frozen.SiloPort)).Any(r => r[0] != generationBefore && r[1] == Active),
            TimeSpan.FromSeconds(30), "the restarted silo Active as a new generation");
        await Task.Delay(TimeSpan.FromSeconds(3)); // traffic on the new view
        stop.Cancel();
        await Task.WhenAll([limitedLoad, .. loads]);
        var elapsedS = sw.Elapsed.TotalSeconds + 0.1;
        var loadStoppedMicros = (DateTimeOffset.UtcNow.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
        foreach (var silo in cluster.Silos)
            await silo.Process.StopAsync(TimeSpan.FromSeconds(15)); // flushes the turn logs

        // Only the turns up to the end of the load: the stop that follows moves grains between silos, which is not under test.
        var turns = TurnLog.Read(cluster.Silos.Select(s => s.TurnLog).Append(frozen.TurnLog).Distinct()).Where(t => t.StartMicros <= loadStoppedMicros).ToList();
        var (maxOverlapMs, grain, moved) = TurnLog.MaxOwnerOverlap(turns);
        var failed = results.ServerErrors + results.Count(-1) + limited.ServerErrors + limited.Count(-1);
        var admitted = limited.Count(200) + 1;
        var allowed = capacity + rate * elapsedS;
        var overAdmitted = admitted - allowed;
        // Bound: both gateways' local fallback buckets (capacity 5, 5 tokens/s) while calls to the frozen silo time out
        // (until it is declared dead and the grain re-activates), plus what the frozen activation spent since its last
        // write-behind (≤ 1 s of its rate, the write-behind interval).
        var bound = 2 * (5 + 5 * declaredAfter.TotalSeconds) + rate + 5;
        output.WriteLine($"[fault] SIGSTOP: silo declared Dead after {declaredAfter.TotalSeconds:0.00} s (goal {DetectionBoundMs} ms); restarted as {restarted.HttpUrl}");
        output.WriteLine($"[fault] SIGSTOP: turns logged {turns.Count}; grains that changed owner {moved}; largest overlap of two owners {maxOverlapMs:0} ms ({grain ?? "none"}); bound {DetectionBoundMs} ms");
        output.WriteLine($"[fault] SIGSTOP: requests {results.Total + limited.Total}, failed {failed}; limited client admitted {admitted} in {elapsedS:0.0} s, allowed {allowed:0}, over-admitted {overAdmitted:0} (bound {bound:0})");
        output.WriteLine($"limited: {limited}\nothers: {results}");

        Assert.True(turns.Count > 100, $"only {turns.Count} turns logged");
        Assert.True(moved > 0, "no grain changed owner: the freeze moved nothing");
        Assert.InRange(declaredAfter.TotalMilliseconds, 0, 2 * DetectionBoundMs);
        Assert.True(maxOverlapMs <= DetectionBoundMs, $"two silos served {grain} at once for {maxOverlapMs:0} ms");
        Assert.True(overAdmitted <= bound, $"over-admitted {overAdmitted:0}, bound {bound:0}\n{cluster.Logs()}");
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
            "SELECT 1 FROM granary_orleans_grain_state WHERE state_name = 'bucket' AND grain_id_ext = 'durable' AND payload IS NOT NULL")).Count == 1,
            TimeSpan.FromSeconds(5), "the bucket's state written to PostgreSQL");
        // What the grain holds before the outage, written within the write-behind interval (1 s).
        using var before = JsonDocument.Parse(await cluster.Http.GetStringAsync(cluster.SiloUrl + "/clients/durable"));
        var admittedBefore = before.RootElement.GetProperty("admitted").GetInt64();
        var tokensBefore = before.RootElement.GetProperty("tokens").GetDouble();
        Assert.True(admittedBefore > 0, before.RootElement.ToString());
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // past one write-behind interval, so what the grain holds is stored

        await pg.StopAsync();
        var during = await LoadRunner.RunAsync(cluster.Http, gateways, workers: 4, maxRequests: 1_000_000, maxDuration: TimeSpan.FromSeconds(10));
        await pg.RestartAsync();
        output.WriteLine($"[fault] PostgreSQL down 10 s: {during}");
        Assert.True(during.ServerErrors + during.Count(-1) == 0, $"{during}\n{cluster.Logs()}");
        Assert.True(during.Count(200) > 100, during.ToString());

        // The cluster comes back: both silos Active (Orleans keeps running on its last view while the table is gone), and the
        // client's grain answers with live state once the silos agree on the view.
        var restarted = Stopwatch.StartNew();
        await Poll.UntilAsync(async () => (await cluster.Database!.QueryAsync(
            "SELECT count(*)::text FROM granary_orleans_silo WHERE status = 3")).Single()[0] == "2", TimeSpan.FromSeconds(30), "two Active silos after the outage");
        JsonElement client = default;
        await Poll.UntilAsync(async () =>
        {
            using var doc = JsonDocument.Parse(await cluster.Http.GetStringAsync(cluster.SiloUrl + "/clients/durable"));
            client = doc.RootElement.Clone();
            return client.GetProperty("tokens").ValueKind == JsonValueKind.Number;
        }, TimeSpan.FromSeconds(30), "the client grain answering after the outage");
        output.WriteLine($"[fault] after the outage (grains answering {restarted.Elapsed.TotalSeconds:0.0} s after PostgreSQL came back): {client}");
        Assert.Equal(1000, client.GetProperty("capacity").GetInt64());
        // Tokens spent before the outage at 0.01 tokens/s stay spent: a bucket that lost its state would be full again.
        // (Requests the gateways decided locally while the grain was activating never reached it.)
        Assert.True(client.GetProperty("admitted").GetInt64() >= admittedBefore, $"before: {before.RootElement}\nafter: {client}");
        Assert.True(client.GetProperty("tokens").GetDouble() <= tokensBefore + 1, $"before: {before.RootElement}\nafter: {client}");
    }
}
