using Granary.PostgreSql;
using Granary.Runtime;
using Granary.Runtime.Membership;

namespace Granary.Silo.Tests;

/// <summary>One silo in process on 127.0.0.1 (free grain and HTTP ports) in a PostgreSQL cluster <c>dash</c>, for multi-silo tests.</summary>
internal sealed class TestSilo : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestSilo(WebApplication app, int httpPort, string? adminKey)
    {
        _app = app;
        HttpUrl = $"http://127.0.0.1:{httpPort}";
        Http = new HttpClient { BaseAddress = new Uri(HttpUrl), Timeout = TimeSpan.FromSeconds(10) };
        if (adminKey is not null)
            Http.DefaultRequestHeaders.Add("X-Admin-Key", adminKey);
    }

    /// <summary>A client of the silo's HTTP port; sends the admin key given to <see cref="StartAsync"/>, if any.</summary>
    public HttpClient Http { get; }

    public string HttpUrl { get; }

    public SiloAddress Address => _app.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    public MembershipView View => _app.Services.GetRequiredService<IMembershipViewProvider>().Current;

    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    /// <param name="connectionString">The cluster's database.</param>
    /// <param name="extraArgs">More settings, e.g. admin keys.</param>
    /// <param name="clientKey">The admin key <see cref="Http"/> sends, or null.</param>
    public static async Task<TestSilo> StartAsync(string connectionString, IEnumerable<string>? extraArgs = null, string? clientKey = null)
    {
        var httpPort = SiloFixture.FreePort();
        var app = SiloApp.Create(
            ["--Granary:Silo:Host=127.0.0.1", $"--Granary:Silo:GrainPort={SiloFixture.FreePort()}", $"--Granary:Silo:HttpPort={httpPort}",
             "--Granary:Silo:MembershipRefreshIntervalMs=200", "--Granary:ClusterId=dash",
             $"--{PostgreSqlDefaults.ConnectionStringKey}={connectionString}", .. extraArgs ?? []],
            builder => builder.Logging.ClearProviders());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await app.StartAsync(timeout.Token);
        return new TestSilo(app, httpPort, clientKey);
    }

    /// <summary>Waits (polling, 15 s deadline) until every silo sees all of them Active.</summary>
    public static async Task WaitForViewAsync(params TestSilo[] silos)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!silos.All(s => s.View.ActiveSilos.Length == silos.Length))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the {silos.Length} silos did not see each other within 15 s");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
