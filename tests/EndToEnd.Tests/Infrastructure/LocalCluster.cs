using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Tests.Common;

namespace Granary.EndToEnd.Tests.Infrastructure;

/// <summary>Settings of one test cluster.</summary>
internal sealed record ClusterSpec
{
    public int Gateways { get; init; } = 2;
    public int[] BackendLatencyMs { get; init; } = [0, 0, 0];
    public string Policy { get; init; } = "LeastConnections";
    public int InFlightLeaseMs { get; init; } = 10_000;
    public int RenewIntervalMs { get; init; } = 500;
    public int HealthIntervalMs { get; init; } = 500;
    public int DefaultCapacity { get; init; } = 1_000_000;
    public int DefaultRatePerSec { get; init; } = 1_000_000;

    /// <summary>0: one silo on in-memory membership (the local profile). N ≥ 1: N silos sharing membership, state and registry through PostgreSQL.</summary>
    public int PostgresSilos { get; init; }

    /// <summary>PostgreSQL server to use in PostgreSQL mode (a fresh database is created on it); default: the test run's server.</summary>
    public string? PostgresServer { get; init; }

    /// <summary>Local token buckets the gateways fall back to while no silo answers.</summary>
    public int FallbackCapacity { get; init; } = 100;
    public int FallbackRatePerSec { get; init; } = 50;

    /// <summary><c>Exact</c> (default) or <c>Batched</c>: the gateways' rate-limit mode and the cluster's <c>Granary.Mode</c>.</summary>
    public string Mode { get; init; } = "Exact";

    /// <summary>Extra command-line settings for every silo, e.g. <c>--Granary:Silo:AdminKey=...</c>.</summary>
    public IReadOnlyList<string> ExtraSiloArgs { get; init; } = [];
}

/// <summary>One silo process and its endpoints: Orleans's silo-to-silo port, its gateway port (where gateways connect) and HTTP.</summary>
internal sealed record SiloProcess(HostProcess Process, int SiloPort, int GatewayPort, string HttpUrl, string TurnLog);

/// <summary>
/// A whole local profile as real processes on free 127.0.0.1 ports: one silo, demo backends and
/// gateways, each gateway with its own content root holding a generated appsettings.json.
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    private readonly List<HostProcess> _all = [];
    private readonly string _root = Directory.CreateTempSubdirectory("granary-e2e-").FullName;

    public required ClusterSpec Spec { get; init; }
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };
    public List<SiloProcess> Silos { get; } = [];
    public HostProcess Silo => Silos[0].Process;
    public int SiloPort => Silos[0].SiloPort;
    public int SiloGatewayPort => Silos[0].GatewayPort;
    public string SiloUrl => Silos[0].HttpUrl;

    /// <summary>The cluster's own database in PostgreSQL mode, else null.</summary>
    public TestDatabase? Database { get; private set; }

    /// <summary>Connection string of <see cref="Database"/>, else null.</summary>
    public string? ConnectionString => Database?.ConnectionString;
    public List<(HostProcess Process, string Id, string Url)> Backends { get; } = [];
    public List<(HostProcess Process, string Id, string Url)> Gateways { get; } = [];

    public static async Task<LocalCluster> StartAsync(ClusterSpec spec)
    {
        var cluster = new LocalCluster { Spec = spec };
        try
        {
            await cluster.StartAllAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task StartAllAsync()
    {
        if (Spec.PostgresSilos > 0)
            // Unpooled: the fault tests stop and restart the server under the cluster.
            Database = await TestDatabase.CreateAsync(Spec.PostgresServer, pooling: false);
        var siloCount = Math.Max(1, Spec.PostgresSilos);
        for (var i = 0; i < siloCount; i++)
            StartSilo();

        for (var i = 0; i < Spec.BackendLatencyMs.Length; i++)
        {
            var port = FreePort.Next();
            var id = $"b{i + 1}";
            var p = Track(HostProcess.Start(id, "Granary.Samples.DemoBackend",
                ["--port", port.ToString(), "--id", id, "--latency-ms", Spec.BackendLatencyMs[i].ToString()]));
            Backends.Add((p, id, $"http://127.0.0.1:{port}"));
        }

        foreach (var silo in Silos)
            await silo.Process.WaitHealthyAsync(Http, silo.HttpUrl + "/healthz", TimeSpan.FromSeconds(30));
        foreach (var b in Backends)
            await b.Process.WaitHealthyAsync(Http, b.Url + "/healthz", TimeSpan.FromSeconds(30));

        for (var i = 0; i < Spec.Gateways; i++)
            await AddGatewayAsync($"gw{i + 1}");
    }

    /// <summary>Starts one more silo (not waiting for it); in PostgreSQL mode it joins the cluster.</summary>
    public SiloProcess StartSilo()
    {
        var silo = StartSiloOn($"silo{Silos.Count + 1}", FreePort.Next(), FreePort.Next(), FreePort.Next());
        Silos.Add(silo);
        return silo;
    }

    /// <summary>
    /// Rolling restart of silo <paramref name="index"/>: SIGTERM (graceful leave: ShuttingDown, grains
    /// deactivate and flush, Dead), then a new process on the same ports (a new generation), waited
    /// until it serves /healthz. Replaces the entry in <see cref="Silos"/>.
    /// </summary>
    public async Task<SiloProcess> RestartSiloAsync(int index, TimeSpan grace)
    {
        var old = Silos[index];
        await old.Process.StopAsync(grace);
        var httpPort = int.Parse(old.HttpUrl[(old.HttpUrl.LastIndexOf(':') + 1)..]);
        var silo = StartSiloOn(old.Process.Name, old.SiloPort, old.GatewayPort, httpPort);
        Silos[index] = silo;
        await silo.Process.WaitHealthyAsync(Http, silo.HttpUrl + "/healthz", TimeSpan.FromSeconds(30));
        return silo;
    }

    /// <summary>
    /// Rolling restart of gateway <paramref name="index"/>: SIGTERM (Kestrel stops accepting, in-flight
    /// requests finish), then a new process on the same URL and configuration, waited until it serves.
    /// </summary>
    public async Task RestartGatewayAsync(int index, TimeSpan grace)
    {
        var (old, id, url) = Gateways[index];
        await old.StopAsync(grace);
        var p = Track(HostProcess.Start(id, "Granary.Gateway", ["--contentRoot", Path.Combine(_root, id), "--urls", url]));
        Gateways[index] = (p, id, url);
        await p.WaitHealthyAsync(Http, url + "/healthz", TimeSpan.FromSeconds(30));
    }

    private SiloProcess StartSiloOn(string name, int siloPort, int gatewayPort, int httpPort)
    {
        var turnLog = Path.Combine(_root, name + ".turns.tsv");
        for (var n = 2; File.Exists(turnLog); n++)
            turnLog = Path.Combine(_root, $"{name}.{n}.turns.tsv"); // a restarted silo logs apart
        List<string> args =
        [
            $"--Granary:Silo:SiloPort={siloPort}",
            $"--Granary:Silo:GatewayPort={gatewayPort}",
            $"--Granary:Silo:HttpPort={httpPort}",
            $"--Granary:RateLimit:DefaultCapacity={Spec.DefaultCapacity}",
            $"--Granary:RateLimit:DefaultRatePerSec={Spec.DefaultRatePerSec}",
        ];
        if (ConnectionString is not null)
            args.Add($"--Granary:PostgreSql:ConnectionString={ConnectionString}");
        args.Add($"--Granary:Silo:TurnLogPath={turnLog}");
        args.AddRange(Spec.ExtraSiloArgs);
        return new SiloProcess(Track(HostProcess.Start(name, "Granary.Silo", args)), siloPort, gatewayPort, $"http://127.0.0.1:{httpPort}", turnLog);
    }

    /// <summary>Starts one more gateway with the cluster's settings and waits until it serves.</summary>
    public async Task<(HostProcess Process, string Id, string Url)> AddGatewayAsync(string id)
    {
        var port = FreePort.Next();
        var contentRoot = Path.Combine(_root, id);
        Directory.CreateDirectory(contentRoot);
        await File.WriteAllTextAsync(Path.Combine(contentRoot, "appsettings.json"), GatewayConfig(id).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var url = $"http://127.0.0.1:{port}";
        var p = Track(HostProcess.Start(id, "Granary.Gateway", ["--contentRoot", contentRoot, "--urls", url]));
        await p.WaitHealthyAsync(Http, url + "/healthz", TimeSpan.FromSeconds(30));
        // A gateway serves with local decisions until its Orleans client connects; the tests start from a connected one.
        await Poll.UntilAsync(async () => (await Http.GetStringAsync(url + "/healthz")).Contains("\"silo_connected\":true", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), $"gateway {id} connected to a silo");
        var entry = (p, id, url);
        Gateways.Add(entry);
        return entry;
    }

    /// <summary>
    /// [cluster-auth] Starts a gateway with the cluster's settings plus <paramref name="extraArgs"/>
    /// (e.g. <c>--Granary:Tls:CertificatePath=...</c>) and returns at once, without waiting for it to serve
    /// (it may be meant to fail at start-up). Not added to <see cref="Gateways"/>; stopped with the cluster.
    /// </summary>
    public async Task<(HostProcess Process, string Url)> StartGatewayProcessAsync(string id, IReadOnlyList<string> extraArgs)
    {
        var port = FreePort.Next();
        var contentRoot = Path.Combine(_root, id);
        Directory.CreateDirectory(contentRoot);
        await File.WriteAllTextAsync(Path.Combine(contentRoot, "appsettings.json"), GatewayConfig(id).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var url = $"http://127.0.0.1:{port}";
        var p = Track(HostProcess.Start(id, "Granary.Gateway", ["--contentRoot", contentRoot, "--urls", url, .. extraArgs]));
        return (p, url);
    }

    private JsonObject GatewayConfig(string id)
    {
        var destinations = new JsonObject();
        foreach (var b in Backends)
            destinations[b.Id] = new JsonObject { ["Address"] = b.Url + "/" };
        return new JsonObject
        {
            ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Warning", ["Granary"] = "Information" } },
            ["Granary"] = new JsonObject
            {
                ["Client"] = new JsonObject { ["Gateways"] = new JsonArray($"127.0.0.1:{SiloGatewayPort}") },
                ["PostgreSql"] = new JsonObject { ["ConnectionString"] = ConnectionString ?? "" },
                ["RateLimit"] = new JsonObject { ["FallbackCapacity"] = Spec.FallbackCapacity, ["FallbackRatePerSec"] = Spec.FallbackRatePerSec, ["Mode"] = Spec.Mode },
                ["Gateway"] = new JsonObject
                {
                    ["Id"] = id,
                    ["InFlightLeaseMs"] = Spec.InFlightLeaseMs,
                    ["RenewIntervalMs"] = Spec.RenewIntervalMs,
                },
            },
            ["ReverseProxy"] = new JsonObject
            {
                ["Routes"] = new JsonObject
                {
                    ["all"] = new JsonObject { ["ClusterId"] = "backends", ["Match"] = new JsonObject { ["Path"] = "{**catch-all}" } },
                },
                ["Clusters"] = new JsonObject
                {
                    ["backends"] = new JsonObject
                    {
                        ["Metadata"] = new JsonObject
                        {
                            ["Granary.Policy"] = Spec.Policy,
                            ["Granary.Mode"] = Spec.Mode,
                            ["Granary.Health.Path"] = "/healthz",
                            ["Granary.Health.IntervalMs"] = Spec.HealthIntervalMs.ToString(),
                            ["Granary.Health.TimeoutMs"] = "500",
                            ["Granary.Health.Rise"] = "2",
                            ["Granary.Health.Fall"] = "2",
                        },
                        ["Destinations"] = destinations,
                    },
                },
            },
        };
    }

    private HostProcess Track(HostProcess p)
    {
        _all.Add(p);
        return p;
    }

    /// <summary>The backends as the silo's <c>/api/backends</c> reports them.</summary>
    public async Task<JsonElement[]> GetBackendsAsync()
    {
        using var doc = JsonDocument.Parse(await Http.GetStringAsync(SiloUrl + "/api/backends"));
        return [.. doc.RootElement.GetProperty("backends").EnumerateArray().Select(e => e.Clone())];
    }

    public async Task CreateClientAsync(string clientId, long capacity, double ratePerSec)
    {
        using var response = await Http.PostAsJsonAsync(SiloUrl + "/clients", new { client_id = clientId, capacity, rate_per_sec = ratePerSec });
        Assert.True(response.IsSuccessStatusCode, $"POST /clients failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Every process's last lines, for assertion messages.</summary>
    public string Logs() => string.Join("\n", _all.Select(p => p.Tail()));

    public async ValueTask DisposeAsync()
    {
        // Gateways first so they drain, then the silo, then backends.
        foreach (var p in Enumerable.Reverse(_all))
            await p.DisposeAsync();
        Http.Dispose();
        if (Database is not null)
        {
            try
            {
                await Database.DisposeAsync();
            }
            catch (Npgsql.NpgsqlException)
            {
                // The server may be one a fault test stopped; its data directory goes away with it.
            }
        }
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
