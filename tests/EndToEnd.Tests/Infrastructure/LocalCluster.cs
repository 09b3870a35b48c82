using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

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
}

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
    public HostProcess Silo { get; private set; } = null!;
    public int SiloGrainPort { get; private set; }
    public string SiloUrl { get; private set; } = "";
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
        SiloGrainPort = FreePort.Next();
        var siloHttp = FreePort.Next();
        SiloUrl = $"http://127.0.0.1:{siloHttp}";
        Silo = Track(HostProcess.Start("silo", "Granary.Silo",
        [
            $"--Granary:Silo:GrainPort={SiloGrainPort}",
            $"--Granary:Silo:HttpPort={siloHttp}",
            $"--Granary:RateLimit:DefaultCapacity={Spec.DefaultCapacity}",
            $"--Granary:RateLimit:DefaultRatePerSec={Spec.DefaultRatePerSec}",
        ]));

        for (var i = 0; i < Spec.BackendLatencyMs.Length; i++)
        {
            var port = FreePort.Next();
            var id = $"b{i + 1}";
            var p = Track(HostProcess.Start(id, "Granary.Samples.DemoBackend",
                ["--port", port.ToString(), "--id", id, "--latency-ms", Spec.BackendLatencyMs[i].ToString()]));
            Backends.Add((p, id, $"http://127.0.0.1:{port}"));
        }

        await Silo.WaitHealthyAsync(Http, SiloUrl + "/healthz", TimeSpan.FromSeconds(30));
        foreach (var b in Backends)
            await b.Process.WaitHealthyAsync(Http, b.Url + "/healthz", TimeSpan.FromSeconds(30));

        for (var i = 0; i < Spec.Gateways; i++)
            await AddGatewayAsync($"gw{i + 1}");
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
        var entry = (p, id, url);
        Gateways.Add(entry);
        return entry;
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
                ["Client"] = new JsonObject { ["Silos"] = new JsonArray($"127.0.0.1:{SiloGrainPort}"), ["CallTimeoutMs"] = 2000 },
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
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
