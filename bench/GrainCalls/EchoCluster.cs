using System.Net;
using System.Net.Sockets;
using Granary.Runtime;
using Granary.Runtime.Hosting;

namespace Granary.Bench.GrainCalls;

/// <summary>
/// One silo (Kestrel grain port on 127.0.0.1, a free port) and one client host in this process; every
/// call goes client → loopback TCP → silo transport → catalog → grain and back, as in production.
/// </summary>
internal sealed class EchoCluster : IAsyncDisposable
{
    private readonly WebApplication _silo;
    private readonly IHost _client;

    private EchoCluster(WebApplication silo, IHost client, int port)
    {
        _silo = silo;
        _client = client;
        Port = port;
        Factory = client.Services.GetRequiredService<IGrainFactory>();
    }

    public int Port { get; }

    public IGrainFactory Factory { get; }

    public static async Task<EchoCluster> StartAsync()
    {
        var port = FreePort();
        var options = new SiloOptions { Host = "127.0.0.1", GrainPort = port };
        var siloBuilder = WebApplication.CreateSlimBuilder();
        siloBuilder.Logging.ClearProviders();
        siloBuilder.Services.AddGranarySilo(o =>
        {
            o.Host = options.Host;
            o.GrainPort = options.GrainPort;
        });
        siloBuilder.Services.AddGrain<EchoGrain>(EchoGrainDescriptor.Descriptor);
        siloBuilder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenGrainPort(options));
        var silo = siloBuilder.Build();
        await silo.StartAsync();

        var clientBuilder = Host.CreateApplicationBuilder();
        clientBuilder.Logging.ClearProviders();
        clientBuilder.Services.AddGrainInterface(EchoGrainDescriptor.Descriptor);
        clientBuilder.Services.AddGranaryClient(o =>
        {
            o.Silos = [$"127.0.0.1:{port}"];
            o.CallTimeoutMs = 30_000;
        });
        var client = clientBuilder.Build();
        await client.StartAsync();
        return new EchoCluster(silo, client, port);
    }

    /// <summary>One grain per caller loop (keys <c>echo-0</c>, <c>echo-1</c>, …), so the grains' mailboxes never serialize callers.</summary>
    public IEchoGrain[] Grains(int count)
    {
        var grains = new IEchoGrain[count];
        for (var i = 0; i < count; i++)
            grains[i] = Factory.GetGrain<IEchoGrain>($"echo-{i}");
        return grains;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _client.StopAsync(timeout.Token);
        _client.Dispose();
        await _silo.StopAsync(timeout.Token);
        await _silo.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
