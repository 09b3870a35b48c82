namespace Granary.Silo.Tests;

/// <summary>
/// One silo in process on 127.0.0.1 (free silo, gateway and HTTP ports unless given) in the PostgreSQL
/// cluster <c>dash</c> (Orleans's ADO.NET clustering and storage through Granary.PostgreSql), for
/// multi-silo tests. Failure detection is tightened (1 s probes, 2 missed) so a stopped silo is seen
/// quickly.
/// </summary>
internal sealed class TestSilo : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private TestSilo(WebApplication app, int siloPort, int gatewayPort, int httpPort, string? adminKey)
    {
        _app = app;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        HttpPort = httpPort;
        HttpUrl = $"http://127.0.0.1:{httpPort}";
        Http = new HttpClient { BaseAddress = new Uri(HttpUrl), Timeout = TimeSpan.FromSeconds(10) };
        if (adminKey is not null)
            Http.DefaultRequestHeaders.Add("X-Admin-Key", adminKey);
    }

    /// <summary>A client of the silo's HTTP port; sends the admin key given to <see cref="StartAsync"/>, if any.</summary>
    public HttpClient Http { get; }

    public string HttpUrl { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public int HttpPort { get; }

    /// <summary>This incarnation's address as the API writes it (<c>host:port@generation</c>).</summary>
    public string Address => _app.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString();

    public SiloAddress SiloAddress => _app.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    /// <summary>The silos this one sees Active.</summary>
    public IReadOnlyList<SiloAddress> ActiveSilos =>
        [.. _app.Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress)];

    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    /// <param name="connectionString">The cluster's database.</param>
    /// <param name="extraArgs">More settings, e.g. admin keys.</param>
    /// <param name="clientKey">The admin key <see cref="Http"/> sends, or null.</param>
    /// <param name="ports">Silo, gateway and HTTP ports to reuse (a restarted silo), or null for free ones.</param>
    public static async Task<TestSilo> StartAsync(string connectionString, IEnumerable<string>? extraArgs = null, string? clientKey = null, (int Silo, int Gateway, int Http)? ports = null)
    {
        var (siloPort, gatewayPort, httpPort) = ports ?? (SiloFixture.FreePort(), SiloFixture.FreePort(), SiloFixture.FreePort());
        var app = SiloApp.Create(
            ["--Granary:Silo:Host=127.0.0.1", $"--Granary:Silo:SiloPort={siloPort}", $"--Granary:Silo:GatewayPort={gatewayPort}", $"--Granary:Silo:HttpPort={httpPort}",
             "--Granary:Silo:Membership:ProbeTimeout=00:00:01", "--Granary:Silo:Membership:NumMissedProbesLimit=2", "--Granary:ClusterId=dash",
             $"--{SiloApp.PostgreSqlConnectionStringKey}={connectionString}", .. extraArgs ?? []],
            builder => builder.Logging.ClearProviders());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await app.StartAsync(timeout.Token);
        return new TestSilo(app, siloPort, gatewayPort, httpPort, clientKey);
    }

    /// <summary>Waits (polling, 30 s deadline) until every silo sees all of them Active.</summary>
    public static async Task WaitForViewAsync(params TestSilo[] silos)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!silos.All(s => silos.All(o => s.ActiveSilos.Contains(o.SiloAddress))))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the {silos.Length} silos did not see each other Active within 30 s");
            await Task.Delay(50);
        }
    }

    /// <summary>Stops the silo gracefully (it leaves the cluster: ShuttingDown, then Dead).</summary>
    public async Task StopAsync()
    {
        if (_stopped)
            return;
        _stopped = true;
        await _app.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await StopAsync();
        await _app.DisposeAsync();
    }
}
