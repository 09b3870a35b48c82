using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace Granary.Bench.Soak;

/// <summary>
/// The local profile on a private PostgreSQL server, on 127.0.0.1 and free ports: N silos, gateways
/// and demo backends as processes this tool started (and only those are ever signalled).
/// </summary>
internal sealed partial class SoakProfile(string repoRoot, string binDir, string runDir) : IAsyncDisposable
{
    private string? _pgDir;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(5) };
    public string ConnectionString { get; private set; } = "";
    public List<Node> Silos { get; } = [];
    public List<Node> Gateways { get; } = [];
    public List<Node> Backends { get; } = [];
    public IEnumerable<Node> All => Silos.Concat(Backends).Concat(Gateways);

    /// <summary>Fallback-decision and grain-call-failure counters of every gateway incarnation, last scrape each (Prometheus series → value).</summary>
    private readonly Dictionary<string, Dictionary<string, long>> _gatewayCounters = [];

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async Task StartAsync(int silos, int gateways, int backends, Action<string> say)
    {
        Directory.CreateDirectory(Path.Combine(runDir, "logs"));
        // The server runs as the postgres user when we are root: it must reach its data directory.
        _pgDir = Directory.CreateTempSubdirectory("granary-soak-pg-").FullName;
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(_pgDir, (UnixFileMode)0b111_101_101);
        var pgPort = FreePort();
        say($"PostgreSQL on 127.0.0.1:{pgPort} (deploy/pg-local.sh, data {_pgDir}/data)");
        ConnectionString = (await PgLocalAsync("start", Path.Combine(_pgDir, "data"), pgPort.ToString(CultureInfo.InvariantCulture))).Trim();

        var logs = Path.Combine(runDir, "logs");
        string Dll(string name) => Path.Combine(binDir, name, "release", name + ".dll");
        for (var i = 1; i <= silos; i++)
        {
            int siloPort = FreePort(), gatewayPort = FreePort(), http = FreePort();
            var turnLog = Path.Combine(logs, $"silo{i}.turns.tsv");
            Silos.Add(new Node($"silo{i}", NodeKind.Silo, Dll("Granary.Silo"),
            [
                $"--Granary:Silo:SiloPort={siloPort}", $"--Granary:Silo:GatewayPort={gatewayPort}", $"--Granary:Silo:HttpPort={http}",
                $"--Granary:PostgreSql:ConnectionString={ConnectionString}",
                $"--Granary:Silo:TurnLogPath={turnLog}",
                "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Granary=Information",
                "--Logging:LogLevel:Orleans.Runtime.MembershipService=Information",
            ], $"http://127.0.0.1:{http}/healthz", Path.Combine(logs, $"silo{i}.log")) { SiloPort = siloPort, TurnLog = turnLog });
        }
        var destinations = new Dictionary<string, object>();
        for (var i = 1; i <= backends; i++)
        {
            var port = FreePort();
            Backends.Add(new Node($"b{i}", NodeKind.Backend, Dll("Granary.Samples.DemoBackend"),
                ["--port", port.ToString(CultureInfo.InvariantCulture), "--id", $"b{i}", "--latency-ms", "5"],
                $"http://127.0.0.1:{port}/healthz", Path.Combine(logs, $"b{i}.log")));
            destinations[$"b{i}"] = new { Address = $"http://127.0.0.1:{port}/" };
        }
        var proxyFile = Path.Combine(runDir, "reverseproxy.json");
        await File.WriteAllTextAsync(proxyFile, JsonSerializer.Serialize(new
        {
            ReverseProxy = new
            {
                Routes = new { all = new { ClusterId = "backends", Match = new { Path = "{**catch-all}" } } },
                Clusters = new
                {
                    backends = new
                    {
                        Metadata = new Dictionary<string, string>
                        {
                            ["Granary.Policy"] = "LeastConnections",
                            ["Granary.Health.Path"] = "/healthz",
                            ["Granary.Health.IntervalMs"] = "1000",
                            ["Granary.Health.TimeoutMs"] = "1000",
                            ["Granary.Health.Rise"] = "2",
                            ["Granary.Health.Fall"] = "2",
                        },
                        Destinations = destinations,
                    },
                },
            },
        }));
        for (var i = 1; i <= gateways; i++)
        {
            var port = FreePort();
            Gateways.Add(new Node($"gw{i}", NodeKind.Gateway, Dll("Granary.Gateway"),
            [
                "--urls", $"http://127.0.0.1:{port}", $"--Granary:Gateway:Id=gw{i}", $"--Granary:Gateway:ProxyConfigFile={proxyFile}",
                $"--Granary:PostgreSql:ConnectionString={ConnectionString}",
                "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Granary=Information",
            ], $"http://127.0.0.1:{port}/healthz", Path.Combine(logs, $"gw{i}.log")));
        }

        foreach (var n in Silos.Concat(Backends))
            n.Start();
        foreach (var n in Silos)
            await n.WaitHealthyAsync(Http, TimeSpan.FromSeconds(60), () => IsActiveAsync(n));
        foreach (var n in Backends)
            await n.WaitHealthyAsync(Http, TimeSpan.FromSeconds(60));
        foreach (var n in Gateways)
        {
            n.Start();
            await n.WaitHealthyAsync(Http, TimeSpan.FromSeconds(60), () => SiloConnectedAsync(n));
        }
    }

    /// <summary>A live silo's HTTP base URL.</summary>
    public string SiloUrl => (Silos.FirstOrDefault(s => s.Running) ?? Silos[0]).BaseUrl;

    /// <summary>True when <paramref name="silo"/>'s newest generation is Active (Orleans's <c>SiloStatus.Active</c>, 3) in the membership table.</summary>
    public async Task<bool> IsActiveAsync(Node silo) =>
        await ScalarAsync<int?>($"SELECT status FROM granary_orleans_silo WHERE port = {silo.SiloPort} ORDER BY generation DESC LIMIT 1") == 3;

    /// <summary>The gateway's /healthz says <c>"silo_connected":true</c>.</summary>
    public async Task<bool> SiloConnectedAsync(Node gateway)
    {
        using var doc = JsonDocument.Parse(await Http.GetStringAsync(gateway.HealthUrl));
        return doc.RootElement.TryGetProperty("silo_connected", out var c) && c.GetBoolean();
    }

    /// <summary>Restarts <paramref name="node"/> after its exit and waits until it is ready (silo: Active; gateway: connected to a silo).</summary>
    public async Task RestartAndWaitAsync(Node node)
    {
        node.Restart();
        Func<Task<bool>>? ready = node.Kind switch
        {
            NodeKind.Silo => () => IsActiveAsync(node),
            NodeKind.Gateway => () => SiloConnectedAsync(node),
            _ => null,
        };
        await node.WaitHealthyAsync(Http, TimeSpan.FromSeconds(60), ready);
    }

    public async Task CreateClientAsync(string id, long capacity, double rate)
    {
        using var r = await Http.PostAsJsonAsync(SiloUrl + "/clients", new { client_id = id, capacity, rate_per_sec = rate });
        if (!r.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST /clients {id}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    /// <summary>Scrapes every running gateway's counters (kept per incarnation, so a killed gateway's last figures stay counted).</summary>
    public async Task ScrapeGatewaysAsync()
    {
        foreach (var g in Gateways.Where(g => g.Running))
        {
            try
            {
                var series = new Dictionary<string, long>();
                foreach (var line in (await Http.GetStringAsync(g.BaseUrl + "/metrics")).Split('\n'))
                {
                    var m = CounterLine().Match(line);
                    if (m.Success)
                        series[m.Groups[1].Value] = (long)double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                }
                _gatewayCounters[$"{g.Name}#{g.Restarts}"] = series;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
        }
    }

    /// <summary>Sum over every gateway incarnation of the series whose name contains all of <paramref name="parts"/>.</summary>
    public long GatewayCounter(params string[] parts) =>
        _gatewayCounters.Values.SelectMany(s => s).Where(kv => parts.All(p => kv.Key.Contains(p, StringComparison.Ordinal))).Sum(kv => kv.Value);

    public string GatewayCounterSummary() =>
        string.Join(", ", _gatewayCounters.Values.SelectMany(s => s).GroupBy(kv => kv.Key).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Sum(kv => kv.Value)}"));

    [GeneratedRegex("""^granary_gateway_((?:fallback_decisions|grain_call_failures|retries|no_healthy_destination)(?:_total)?(?:\{[^}]*\})?)\s+(\S+)""")]
    private static partial Regex CounterLine();

    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var c = new NpgsqlConnection(ConnectionString + ";Pooling=false");
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        var v = await cmd.ExecuteScalarAsync();
        return v is null or DBNull ? default : (T)v;
    }

    public async Task<List<object[]>> QueryAsync(string sql)
    {
        await using var c = new NpgsqlConnection(ConnectionString + ";Pooling=false");
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<object[]>();
        while (await r.ReadAsync())
        {
            var row = new object[r.FieldCount];
            r.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }

    private async Task<string> PgLocalAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(repoRoot, "deploy", "pg-local.sh"));
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"pg-local.sh {string.Join(' ', args)} failed: {await stderr}");
        return await stdout;
    }

    /// <summary>Stops gateways, then silos, then backends (SIGTERM, SIGKILL after the grace), then PostgreSQL; removes its data.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Gateways.Select(g => g.StopAsync(TimeSpan.FromSeconds(35))));
        foreach (var s in Silos)
            await s.StopAsync(TimeSpan.FromSeconds(35));
        await Task.WhenAll(Backends.Select(b => b.StopAsync(TimeSpan.FromSeconds(10))));
        if (_pgDir is not null)
        {
            try
            {
                await PgLocalAsync("stop", Path.Combine(_pgDir, "data"));
            }
            catch (InvalidOperationException)
            {
            }
            try { Directory.Delete(_pgDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        Http.Dispose();
    }
}
