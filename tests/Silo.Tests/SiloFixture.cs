using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Granary.Silo.Tests;

/// <summary>
/// One silo running in process on 127.0.0.1 (Orleans's development clustering, memory storage; free silo
/// and gateway ports, HTTP port 0) shared by a test class.
/// </summary>
public class SiloFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    public int SiloPort { get; } = FreePort();

    public int GatewayPort { get; } = FreePort();

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The silo is not started.");

    /// <summary>The silo's counters of meter <c>Granary.Silo</c>, read in process.</summary>
    public SiloCounters Counters { get; private set; } = null!;

    /// <summary>More command-line settings for derived fixtures.</summary>
    protected virtual IEnumerable<string> ExtraArgs => [];

    /// <summary>Service changes for derived fixtures (after the defaults).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public async Task InitializeAsync()
    {
        _app = SiloApp.Create(
            [$"--Granary:Silo:Host=127.0.0.1", $"--Granary:Silo:SiloPort={SiloPort}", $"--Granary:Silo:GatewayPort={GatewayPort}", "--Granary:Silo:HttpPort=0",
             "--Granary:RateLimit:DefaultCapacity=7", "--Granary:RateLimit:DefaultRatePerSec=3", .. ExtraArgs],
            builder =>
            {
                builder.Logging.ClearProviders();
                ConfigureServices(builder.Services);
            });
        Counters = new SiloCounters(_app.Services);
        await _app.StartAsync();
        Http.BaseAddress = HttpAddress(_app);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        Counters?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>The one address the started silo's Kestrel listens on (its HTTP port).</summary>
    public static Uri HttpAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
