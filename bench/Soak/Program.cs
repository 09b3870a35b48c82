using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Granary.Bench.Soak;
using Granary.EndToEnd.Tests.Infrastructure;
using Granary.Grains.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Spectre.Console;

// Soak and rolling restart of the local profile on PostgreSQL. See bench/soak.sh and bench/rolling-restart.sh.
var opts = Options.Parse(args, out var exitCode);
if (Console.IsOutputRedirected)
    AnsiConsole.Profile.Width = 160; // logs and pipes: one line per row
if (opts is null)
    return exitCode;

var stamp = DateTime.UtcNow.ToString("yyyy-MM-ddTHH-mm-ssZ", CultureInfo.InvariantCulture);
var runDir = Path.Combine(opts.RepoRoot, ".run", $"{opts.Mode}-{stamp}");
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

void Say(string s) => AnsiConsole.MarkupLineInterpolated($"[grey]{DateTime.Now:HH:mm:ss}[/] {s}");

await using var profile = new SoakProfile(opts.RepoRoot, opts.BinDir, runDir);
var clock = Stopwatch.StartNew();
string E() => $"{clock.Elapsed.TotalSeconds,6:0.0}s";
try
{
    Say($"{opts.Mode}: {opts.Silos} silos, {opts.Gateways} gateways, {opts.Backends} backends; logs in {runDir}/logs");
    await profile.StartAsync(opts.Silos, opts.Gateways, opts.Backends, Say);
    Say($"cluster ready in {clock.Elapsed.TotalSeconds:0.0} s");
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException or Npgsql.NpgsqlException)
{
    AnsiConsole.MarkupLineInterpolated($"[red]start-up failed:[/] {e.Message}");
    return 2;
}

// Clients: three never limited, one tightly limited (429s), and one moderate.
var created = new Dictionary<string, (long Capacity, double Rate)>
{
    ["soak-free-1"] = (1_000_000_000, 1_000_000_000),
    ["soak-free-2"] = (1_000_000_000, 1_000_000_000),
    ["soak-free-3"] = (1_000_000_000, 1_000_000_000),
    ["soak-tight"] = (opts.TightCapacity, opts.TightRate),
    ["soak-mid"] = (500, 100),
};
foreach (var (id, (cap, rate)) in created)
    await profile.CreateClientAsync(id, cap, rate);
var clientsCreated = Stopwatch.StartNew();
string[] loadClients = ["soak-free-1", "soak-tight", "soak-free-2", "soak-mid", "soak-free-3", "soak-tight", "soak-free-1", "soak-free-2"];

var totalSeconds = opts.Mode == "rolling" ? 600 : opts.Minutes * 60;
var maxRequests = (long)(opts.Workers * opts.RatePerWorker * (totalSeconds + 120) * 1.2);
var load = new LoadGenerator([.. profile.Gateways.Select(g => g.BaseUrl)], loadClients, opts.Workers, opts.RatePerWorker, TimeSpan.FromSeconds(opts.DeadlineS), maxRequests);
var tally = load.Tally;
using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
var loadTask = load.RunAsync(stopLoad.Token);
Say($"load: {opts.Workers} workers × {opts.RatePerWorker:0.#} req/s through {opts.Gateways} gateways, deadline {opts.DeadlineS} s per request, at most {maxRequests} requests");

var faults = new List<string>();
var steps = new List<(string Step, TimeSpan Took, IReadOnlyDictionary<string, long> Delta)>();
var rssStart = new Dictionary<string, double?>();
var silosMoved = 0;
var faultOrder = new List<NodeKind>();
var nextHard = new Dictionary<NodeKind, bool>();
var nextSiloFault = 0;
var siloFaults = 0;
var freezes = new List<string>();
// Silos being faulted on purpose; any other silo that exits was stopped by Orleans (declared dead): a false death.
var faulting = new HashSet<Node>();
var unplannedExits = new List<string>();
using var stopWatchdog = new CancellationTokenSource();
var watchdog = WatchSilosAsync(stopWatchdog.Token);
var exit = 0;
try
{
    if (opts.Mode == "rolling")
        await RollingAsync();
    else
        await SoakAsync();
}
catch (OperationCanceledException)
{
    Say("interrupted: checking what ran so far");
    exit = 3;
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException)
{
    AnsiConsole.MarkupLineInterpolated($"[red]fault step failed:[/] {e.Message}");
    exit = 2;
}
await stopLoad.CancelAsync();
await loadTask;
var loadStoppedMicros = (DateTimeOffset.UtcNow.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
var loadSeconds = clientsCreated.Elapsed.TotalSeconds;
await profile.ScrapeGatewaysAsync();
await stopWatchdog.CancelAsync();
await watchdog;

// ---- invariants -------------------------------------------------------------------------------
var checks = new List<(string Name, bool Ok, string Detail)>();
checks.Add(await InFlightCheckAsync());
checks.Add(await FalseDeathCheckAsync());
checks.Add(OverlapCheck());
checks.AddRange(await ClientChecksAsync());
if (opts.Mode == "rolling")
{
    var failed = tally.Requests - tally["200"] - tally["429"];
    checks.Add(("zero failed requests (only 200 and 429)", failed == 0,
        $"{tally.Requests} requests: 200 {tally["200"]}, 429 {tally["429"]}, failed {failed}; {tally["rerouted"]} connects refused by a gateway that was down, sent to the other"));
}
else
{
    checks.Add(("every request answered (200, 429 or JSON error)", tally.ViolationCount == 0,
        $"{tally.Requests} requests; violations (non-JSON, reset, timeout, refused) {tally.ViolationCount}; resets of requests in flight on a SIGKILLed gateway {tally["reset-killed-gw"]} (not a violation: the process died holding them)"));
}
checks.Add(MemoryCheck(out var memoryRows));

// ---- report -------------------------------------------------------------------------------------
var table = new Table().AddColumns("invariant", "result", "detail");
foreach (var (name, ok, detail) in checks)
    table.AddRow(Markup.Escape(name), ok ? "[green]ok[/]" : "[red]FAILED[/]", Markup.Escape(detail));
AnsiConsole.Write(table);
var kinds = new Table().AddColumns(Tally.Kinds);
kinds.AddRow([.. Tally.Kinds.Select(k => tally[k].ToString(CultureInfo.InvariantCulture))]);
AnsiConsole.Write(kinds);
foreach (var (kind, example) in tally.Examples().Where(x => x.Kind != "json-error" || true).Take(15))
    AnsiConsole.MarkupLineInterpolated($"  [grey]{kind}:[/] {example}");

var report = WriteReport();
Say($"report: {report}");
if (checks.Any(c => !c.Ok) && exit == 0)
    exit = 1;
Say(exit == 0 ? "all invariants hold" : $"exit {exit}");
return exit;

// ================================================================================================

async Task SoakAsync()
{
    var rng = new Random(opts.Seed);
    var warmup = TimeSpan.FromSeconds(Math.Min(20, opts.IntervalS));
    await Task.Delay(warmup, cancel.Token);
    foreach (var n in profile.All)
        rssStart[n.Name] = n.RssMb();
    var before = tally.Snapshot();
    Progress("warm-up done", before, null);
    var end = TimeSpan.FromSeconds(totalSeconds);
    var next = clock.Elapsed + TimeSpan.FromSeconds(opts.IntervalS);
    while (next < end)
    {
        var wait = next - clock.Elapsed;
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait, cancel.Token);
        next += TimeSpan.FromSeconds(opts.IntervalS);
        await profile.ScrapeGatewaysAsync();
        var fault = await InjectAsync(rng);
        faults.Add($"{E()} {fault}");
        var now = tally.Snapshot();
        Progress(fault, now, before);
        before = now;
    }
    var rest = end - clock.Elapsed;
    if (rest > TimeSpan.Zero)
        await Task.Delay(rest, cancel.Token);
}

// Fault i hits kind order[i % 3] (a seeded shuffle of silo, gateway, backend), a random node of that
// kind, and alternates SIGKILL / SIGTERM per kind from a seeded coin: every 6 faults cover each kind
// with each signal.
async Task<string> InjectAsync(Random rng)
{
    if (faultOrder.Count == 0)
    {
        faultOrder.AddRange(new[] { NodeKind.Silo, NodeKind.Gateway, NodeKind.Backend }.OrderBy(_ => rng.Next()));
        foreach (var k in faultOrder)
            nextHard[k] = rng.Next(2) == 0;
    }
    var kind = faultOrder[faults.Count % faultOrder.Count];
    var pool = kind switch { NodeKind.Silo => profile.Silos, NodeKind.Gateway => profile.Gateways, _ => profile.Backends };
    var node = pool[rng.Next(pool.Count)];
    if (kind == NodeKind.Silo)
    {
        lock (faulting)
            faulting.Add(node);
        try
        {
            siloFaults++;
            // Silos rotate SIGKILL, SIGTERM, SIGSTOP (from a seeded start).
            var which = (nextSiloFault++ + (nextHard[kind] ? 0 : 1)) % 3;
            return which == 2 ? await FreezeAsync(node) : await KillOrStopAsync(node, hard: which == 0);
        }
        finally
        {
            lock (faulting)
                faulting.Remove(node);
        }
    }
    var hard = nextHard[kind];
    nextHard[kind] = !hard;
    return await KillOrStopAsync(node, hard);
}

async Task<string> KillOrStopAsync(Node node, bool hard)
{
    var oldPid = node.Pid;
    if (hard && node.Kind == NodeKind.Gateway)
        load.GatewayKilled(node.BaseUrl);
    node.Signal(hard ? Node.SigKill : Node.SigTerm);
    var exited = await node.WaitExitAsync(TimeSpan.FromSeconds(35));
    var restart = Stopwatch.StartNew();
    await profile.RestartAndWaitAsync(node);
    if (node.Kind == NodeKind.Silo)
        silosMoved++;
    return $"{(hard ? "SIGKILL" : "SIGTERM")} {node.Name} (pid {oldPid}, exited in {exited.TotalSeconds:0.0} s) -> restarted as pid {node.Pid}, ready in {restart.Elapsed.TotalSeconds:0.0} s";
}

// SIGSTOP a silo until Orleans declares it Dead, let it run again (it learns it was declared dead and stops
// itself), then start it again as a new incarnation.
async Task<string> FreezeAsync(Node node)
{
    var oldPid = node.Pid;
    var generation = await profile.ScalarAsync<int?>($"SELECT generation FROM granary_orleans_silo WHERE port = {node.SiloPort} ORDER BY generation DESC LIMIT 1");
    var frozen = Stopwatch.StartNew();
    node.Signal(Node.SigStop);
    while (await profile.ScalarAsync<int?>($"SELECT status FROM granary_orleans_silo WHERE port = {node.SiloPort} AND generation = {generation}") != 6)
    {
        if (frozen.Elapsed > TimeSpan.FromSeconds(60))
            throw new TimeoutException($"{node.Name} frozen for 60 s and not declared dead");
        await Task.Delay(100);
    }
    var dead = frozen.Elapsed;
    freezes.Add(FormattableString.Invariant($"{node.Name} {dead.TotalSeconds:0.00} s"));
    node.Signal(Node.SigCont);
    var thawed = Stopwatch.StartNew();
    var exited = await node.WaitExitAsync(TimeSpan.FromSeconds(30));
    var stoppedItself = exited < TimeSpan.FromSeconds(29);
    var restart = Stopwatch.StartNew();
    await profile.RestartAndWaitAsync(node);
    return FormattableString.Invariant($"SIGSTOP {node.Name} (pid {oldPid}): declared Dead after {dead.TotalSeconds:0.00} s; SIGCONT: ") +
        (stoppedItself ? FormattableString.Invariant($"it stopped itself in {thawed.Elapsed.TotalSeconds:0.0} s") : "SIGKILLed after 30 s (it did not stop itself)") +
        FormattableString.Invariant($" -> restarted as pid {node.Pid}, ready in {restart.Elapsed.TotalSeconds:0.0} s");
}

// Restarts any silo that exits while no fault is being injected into it: Orleans stops a silo that learns it was
// declared dead, so such an exit is a false death (run.sh does the same restart).
async Task WatchSilosAsync(CancellationToken stop)
{
    try
    {
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(500, stop);
            foreach (var silo in profile.Silos)
            {
                bool busy;
                lock (faulting)
                    busy = faulting.Contains(silo);
                if (busy || silo.Running || silo.Pid == 0)
                    continue;
                unplannedExits.Add($"{E()} {silo.Name} (pid {silo.Pid}) exited without a fault");
                Say($"[red]{silo.Name} exited without a fault (declared dead?): restarting it[/]");
                await profile.RestartAndWaitAsync(silo);
            }
        }
    }
    catch (OperationCanceledException)
    {
    }
}

async Task<(string, bool, string)> FalseDeathCheckAsync()
{
    // Every injected silo fault ends one incarnation, whose row goes Dead (graceful: ShuttingDown then Dead).
    var dead = await profile.ScalarAsync<long>("SELECT count(*) FROM granary_orleans_silo WHERE status = 6");
    var ok = unplannedExits.Count == 0 && dead == siloFaults;
    return ("no false deaths (Orleans membership)", ok,
        $"{dead} silo incarnations Dead in granary_orleans_silo for {siloFaults} silo faults injected; silos that exited without a fault: {unplannedExits.Count}"
        + (unplannedExits.Count > 0 ? " (" + string.Join("; ", unplannedExits) + ")" : "")
        + (freezes.Count > 0 ? "; frozen silos declared Dead after " + string.Join(", ", freezes) : ""));
}

(string, bool, string) OverlapCheck()
{
    // Detection bound: Granary's membership defaults declare a frozen or killed silo dead in about 3 s (goal 5 s).
    const double BoundMs = 5000;
    var turns = TurnLog.Read(profile.Silos.Select(s => s.TurnLog!)).Where(t => t.StartMicros <= loadStoppedMicros).ToList();
    var (maxMs, grain, moved) = TurnLog.MaxOwnerOverlap(turns);
    return ("single activation: largest overlap of two owners within bound", maxMs <= BoundMs,
        FormattableString.Invariant($"{turns.Count} turns logged, {moved} grains changed owner, largest overlap {maxMs:0} ms ({grain ?? "none"}), bound {BoundMs:0} ms"));
}

async Task RollingAsync()
{
    await Task.Delay(TimeSpan.FromSeconds(5), cancel.Token);
    foreach (var n in profile.All)
        rssStart[n.Name] = n.RssMb();
    var before = tally.Snapshot();
    Progress("warm-up (5 s)", before, null);
    foreach (var node in profile.Gateways.Concat(profile.Silos).ToList())
    {
        var t = Stopwatch.StartNew();
        await profile.ScrapeGatewaysAsync();
        var oldPid = node.Pid;
        lock (faulting)
            faulting.Add(node);
        node.Signal(Node.SigTerm);
        var exited = await node.WaitExitAsync(TimeSpan.FromSeconds(35));
        await profile.RestartAndWaitAsync(node);
        lock (faulting)
            faulting.Remove(node);
        if (node.Kind == NodeKind.Silo)
        {
            silosMoved++;
            siloFaults++;
        }
        var now = tally.Snapshot();
        var step = $"restart {node.Name}: SIGTERM pid {oldPid}, drained/left in {exited.TotalSeconds:0.0} s, new pid {node.Pid} ready ({(node.Kind == NodeKind.Silo ? "Active in membership" : "silo_connected")})";
        steps.Add((node.Name, t.Elapsed, Delta(now, before)));
        faults.Add($"{E()} {step}");
        Progress(step, now, before);
        before = now;
    }
    await Task.Delay(TimeSpan.FromSeconds(2), cancel.Token);
}

static IReadOnlyDictionary<string, long> Delta(IReadOnlyDictionary<string, long> now, IReadOnlyDictionary<string, long> before) =>
    now.ToDictionary(kv => kv.Key, kv => kv.Value - before[kv.Key]);

void Progress(string what, IReadOnlyDictionary<string, long> now, IReadOnlyDictionary<string, long>? before)
{
    var rss = string.Join(" ", profile.All.Select(n => $"{n.Name}={(n.RssMb() is { } m ? m.ToString("0", CultureInfo.InvariantCulture) : "-")}"));
    AnsiConsole.MarkupLineInterpolated($"[bold]{E()}[/] {Tally.Line(now)}");
    if (before is not null)
        AnsiConsole.MarkupLineInterpolated($"        [grey]this interval:[/] {Tally.Line(now, before)}");
    AnsiConsole.MarkupLineInterpolated($"        [yellow]{what}[/]");
    AnsiConsole.MarkupLineInterpolated($"        [grey]RSS MiB: {rss}[/]");
}

async Task<(string, bool, string)> InFlightCheckAsync()
{
    // Slots of requests that died with a killed gateway expire with the lease (10 s); poll past it.
    var sw = Stopwatch.StartNew();
    var last = "";
    while (sw.Elapsed < TimeSpan.FromSeconds(opts.LeaseS + 10))
    {
        try
        {
            using var doc = JsonDocument.Parse(await profile.Http.GetStringAsync(profile.SiloUrl + "/api/backends"));
            var backends = doc.RootElement.GetProperty("backends").EnumerateArray()
                .Select(b => (Id: b.TryGetProperty("destination_id", out var d) ? d.ToString() : b.ToString(), InFlight: b.GetProperty("in_flight").GetInt64())).ToList();
            last = string.Join(", ", backends.Select(b => $"{b.Id}={b.InFlight}"));
            if (backends.Count > 0 && backends.All(b => b.InFlight == 0))
                return ("no leaked in-flight counts", true, $"every backend's in_flight is 0, {sw.Elapsed.TotalSeconds:0.0} s after the load stopped ({last})");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            last = e.Message;
        }
        await Task.Delay(250);
    }
    return ("no leaked in-flight counts", false, $"in_flight not back to 0 within {opts.LeaseS + 10} s: {last}");
}

async Task<List<(string, bool, string)>> ClientChecksAsync()
{
    var results = new List<(string, bool, string)>();
    try
    {
        var rows = await profile.QueryAsync("SELECT client_id, capacity, rate_per_sec FROM granary_client ORDER BY client_id");
        var stored = rows.ToDictionary(r => (string)r[0], r => ((long)r[1], (double)r[2]));
        var same = created.Count == stored.Count && created.All(kv => stored.TryGetValue(kv.Key, out var s) && s == kv.Value);
        results.Add(("client limits intact in PostgreSQL", same,
            string.Join("; ", stored.Select(kv => $"{kv.Key} {kv.Value.Item1}/{kv.Value.Item2.ToString(CultureInfo.InvariantCulture)}"))));

        var states = await profile.QueryAsync("SELECT grain_id_ext, payload FROM granary_orleans_grain_state WHERE state_name = 'bucket' AND payload IS NOT NULL");
        var serializer = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(ClientBucketState).Assembly))
            .BuildServiceProvider().GetRequiredService<Serializer>();
        var bad = new List<string>();
        var tokens = new List<string>();
        foreach (var r in states)
        {
            var id = (string)r[0];
            var t = serializer.Deserialize<ClientBucketState>((byte[])r[1])!.Tokens;
            var cap = created.TryGetValue(id, out var c) ? c.Capacity : long.MaxValue;
            tokens.Add($"{id} {t:0.#}");
            if (t < 0 || t > cap || double.IsNaN(t))
                bad.Add($"{id} {t} (capacity {cap})");
        }
        results.Add(("stored tokens within 0..capacity", bad.Count == 0 && states.Count > 0,
            bad.Count > 0 ? "out of range: " + string.Join(", ", bad) : string.Join(", ", tokens.OrderBy(x => x, StringComparer.Ordinal))));

        // Documented bound: capacity + rate × duration, plus per move of the client's grain (a silo
        // leaving or coming back: ≤ 2 per silo fault) what the old activation admitted since its last
        // write-behind (≤ 1 s of rate), plus what the gateways' local fallback buckets admitted
        // (bounded here by every rate-limit fallback decision, all clients).
        var admitted = tally.OkFor("soak-tight");
        var fallbacks = profile.GatewayCounter("fallback_decisions", "rate_limit");
        var nominal = opts.TightCapacity + opts.TightRate * loadSeconds;
        var bound = nominal + 2 * silosMoved * opts.TightRate + fallbacks;
        results.Add(("tight client admitted within its bound", admitted > 0 && admitted <= bound,
            $"soak-tight ({opts.TightCapacity} tokens, {opts.TightRate} tokens/s) admitted {admitted} in {loadSeconds:0} s: nominal {nominal:0} ({admitted - nominal:+0;-0} over), bound {bound:0} = nominal + 2×{silosMoved} silo moves × 1 s × rate + {fallbacks} rate-limit fallback decisions"));
    }
    catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidCastException)
    {
        results.Add(("client limits and tokens in PostgreSQL", false, e.Message));
    }
    return results;
}

(string, bool, string) MemoryCheck(out List<string[]> rows)
{
    rows = [];
    var flagged = new List<string>();
    foreach (var n in profile.All)
    {
        var start = rssStart.GetValueOrDefault(n.Name);
        var end = n.RssMb();
        if (n.Restarts > 0 || start is null || end is null)
        {
            rows.Add([n.Name, start?.ToString("0", CultureInfo.InvariantCulture) ?? "-", end?.ToString("0", CultureInfo.InvariantCulture) ?? "-", $"restarted {n.Restarts}×: not long-lived", ""]);
            continue;
        }
        var growth = end.Value - start.Value;
        var pct = 100 * growth / start.Value;
        var flag = growth > opts.RssGrowthMb && pct > opts.RssGrowthPct;
        if (flag)
            flagged.Add(n.Name);
        rows.Add([n.Name, start.Value.ToString("0", CultureInfo.InvariantCulture), end.Value.ToString("0", CultureInfo.InvariantCulture),
            $"{growth:+0.0;-0.0} MiB ({pct:+0;-0} %)", flag ? "FLAG" : "ok"]);
    }
    var table = new Table().AddColumns("process", "RSS after warm-up (MiB)", "RSS at end (MiB)", "growth", "");
    foreach (var r in rows)
        table.AddRow([.. r.Select(Markup.Escape)]);
    AnsiConsole.Write(table);
    var longLived = rows.Count(r => r[4] != "");
    return ("memory flat (long-lived processes)", flagged.Count == 0 && longLived > 0,
        flagged.Count > 0 ? $"grew more than {opts.RssGrowthMb} MiB and {opts.RssGrowthPct} %: {string.Join(", ", flagged)}"
            : $"{longLived} long-lived processes, none grew more than {opts.RssGrowthMb} MiB and {opts.RssGrowthPct} %");
}

string WriteReport()
{
    var dir = Path.Combine(opts.RepoRoot, "bench", "results");
    Directory.CreateDirectory(dir);
    var path = Path.Combine(dir, $"{(opts.Mode == "rolling" ? "rolling-restart" : "soak")}-{stamp}.md");
    var md = new StringBuilder();
    md.AppendLine(CultureInfo.InvariantCulture, $"# {(opts.Mode == "rolling" ? "Rolling restart" : "Soak")} of the local profile on PostgreSQL ({stamp})");
    md.AppendLine();
    var description = FormattableString.Invariant($"{opts.Silos} silos, {opts.Gateways} gateways, {opts.Backends} demo backends (5 ms), private PostgreSQL; {Environment.ProcessorCount} cores shared with everything else. ") +
        FormattableString.Invariant($"Load: {opts.Workers} workers × {opts.RatePerWorker:0.#} req/s, {opts.DeadlineS} s deadline per request, clients {string.Join(", ", created.Select(kv => $"{kv.Key} ({kv.Value.Capacity}, {kv.Value.Rate.ToString(CultureInfo.InvariantCulture)}/s)"))}. ") +
        (opts.Mode == "rolling" ? "Every gateway then every silo: SIGTERM, wait for exit, start again on the same ports, wait until ready." :
            FormattableString.Invariant($"Duration {opts.Minutes} min, a fault every {opts.IntervalS} s, seed {opts.Seed}: silo, gateway and backend in turn (seeded order), a random one of that kind, SIGKILL and SIGTERM alternating per kind (seeded start), silos rotating SIGKILL, SIGTERM and SIGSTOP (until declared dead, then SIGCONT: the silo stops itself); restarted at once on the same ports (a silo as a new generation)."));
    md.AppendLine(description);
    md.AppendLine();
    md.AppendLine(CultureInfo.InvariantCulture, $"Exit code: {(checks.Any(c => !c.Ok) ? 1 : exit)}.");
    md.AppendLine();
    md.AppendLine("| invariant | result | detail |");
    md.AppendLine("| --- | --- | --- |");
    foreach (var (name, ok, detail) in checks)
        md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {(ok ? "ok" : "**FAILED**")} | {detail.Replace("|", "\\|", StringComparison.Ordinal)} |");
    md.AppendLine();
    md.AppendLine("Requests by kind (rerouted: a connect refused by a gateway that was down, sent to the other gateway; not a request of its own):");
    md.AppendLine();
    md.AppendLine("| " + string.Join(" | ", Tally.Kinds) + " |");
    md.AppendLine("|" + string.Concat(Tally.Kinds.Select(_ => " ---: |")));
    md.AppendLine("| " + string.Join(" | ", Tally.Kinds.Select(k => tally[k].ToString(CultureInfo.InvariantCulture))) + " |");
    md.AppendLine();
    if (tally["json-error"] > 0)
    {
        md.AppendLine(CultureInfo.InvariantCulture, $"JSON errors by status: {tally.JsonByStatus}.");
        md.AppendLine();
    }
    md.AppendLine(CultureInfo.InvariantCulture, $"Gateway counters (sum over every incarnation, last scrape; a SIGKILLed gateway's last seconds are missing): {profile.GatewayCounterSummary()}.");
    md.AppendLine();
    if (steps.Count > 0)
    {
        md.AppendLine("| step | took (s) | 200 | 429 | failed | rerouted |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (step, took, d) in steps)
        {
            var failed = d.Where(kv => kv.Key is not ("200" or "429" or "rerouted")).Sum(kv => kv.Value);
            md.AppendLine(CultureInfo.InvariantCulture, $"| restart {step} | {took.TotalSeconds:0.0} | {d["200"]} | {d["429"]} | {failed} | {d["rerouted"]} |");
        }
        md.AppendLine();
    }
    md.AppendLine("Faults / steps:");
    md.AppendLine();
    foreach (var f in faults)
        md.AppendLine(CultureInfo.InvariantCulture, $"- {f}");
    md.AppendLine();
    md.AppendLine(CultureInfo.InvariantCulture, $"Memory (RSS; flagged when a process that was never restarted grew more than {opts.RssGrowthMb} MiB and more than {opts.RssGrowthPct} % from the end of warm-up to the end):");
    md.AppendLine();
    md.AppendLine("| process | after warm-up (MiB) | end (MiB) | growth | |");
    md.AppendLine("| --- | ---: | ---: | ---: | --- |");
    foreach (var r in memoryRows)
        md.AppendLine("| " + string.Join(" | ", r) + " |");
    md.AppendLine();
    var examples = tally.Examples().ToList();
    if (examples.Count > 0)
    {
        md.AppendLine("Examples (first few of each kind):");
        md.AppendLine();
        foreach (var (kind, example) in examples)
            md.AppendLine(CultureInfo.InvariantCulture, $"- {kind}: `{example.Replace("`", "'", StringComparison.Ordinal)}`");
    }
    File.WriteAllText(path, md.ToString());
    return path;
}
