using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Granary.Silo.Tests;

/// <summary>One silo running in process on 127.0.0.1 (free grain port, HTTP port 0) shared by a test class.</summary>
public class SiloFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    public int GrainPort { get; } = FreePort();

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The silo is not started.");

    /// <summary>More command-line settings for derived fixtures.</summary>
    protected virtual IEnumerable<string> ExtraArgs => [];

    /// <summary>Service changes for derived fixtures (after the defaults).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public async Task InitializeAsync()
    {
        _app = SiloApp.Create(
            [$"--Granary:Silo:Host=127.0.0.1", $"--Granary:Silo:GrainPort={GrainPort}", "--Granary:Silo:HttpPort=0",
             "--Granary:RateLimit:DefaultCapacity=7", "--Granary:RateLimit:DefaultRatePerSec=3", .. ExtraArgs],
            builder =>
            {
                builder.Logging.ClearProviders();
                ConfigureServices(builder.Services);
            });
        await _app.StartAsync();
        var addresses = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        var http = addresses.Select(a => new Uri(a)).Single(u => u.Port != GrainPort);
        Http.BaseAddress = http;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
