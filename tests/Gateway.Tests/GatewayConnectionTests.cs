using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Granary.Gateway.Cluster;
using Granary.Gateway.Hosting;
using Granary.Grains;
using Granary.Grains.Contracts;
using Granary.Tests.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Gateway.Tests;

/// <summary>
/// The gateway on its real Orleans client (static gateway list, real sockets on 127.0.0.1) and a real Orleans silo
/// with Granary's grains started in the test process on the configured gateway port: the gateway starts and serves
/// before any silo exists (local decisions, counted), connects when the silo comes, then the grains decide;
/// when the silo goes, decisions are local again, and the gateway reconnects to a silo started on the same ports.
/// </summary>
public sealed class GatewayConnectionTests : IAsyncLifetime
{
    /// <summary>The silo's default bucket capacity (the grains' decisions show it in RateLimit-Limit).</summary>
    private const long GrainCapacity = 7;

    /// <summary>The gateway's local fallback bucket capacity.</summary>
    private const long LocalCapacity = 1000;

    private readonly string _contentRoot = Directory.CreateTempSubdirectory("granary-gw-connect").FullName;
    private readonly int _siloPort = FreePort();
    private readonly int _gatewayPort = FreePort();
    private WebApplication? _backend;
    private WebApplication? _gateway;
    private IHost? _silo;
    private HttpClient _http = new();

    public async Task InitializeAsync()
    {
        var backendBuilder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0", "--contentRoot", _contentRoot]);
        backendBuilder.Logging.ClearProviders();
        _backend = backendBuilder.Build();
        _backend.Map("/{**rest}", () => Results.Text("live"));
        await _backend.StartAsync();

        _gateway = GatewayApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--contentRoot", _contentRoot,
            "--Logging:LogLevel:Default=Warning",
            "--Granary:Gateway:Id=gw-late",
            $"--Granary:Client:Gateways:0=127.0.0.1:{_gatewayPort}",
            "--Granary:Client:ConnectRetryDelayMs=100",
            $"--Granary:RateLimit:FallbackCapacity={LocalCapacity}",
            "--Granary:RateLimit:FallbackRatePerSec=1000",
            "--ReverseProxy:Routes:api:ClusterId=c",
            "--ReverseProxy:Routes:api:Match:Path=/api/{**rest}",
            $"--ReverseProxy:Clusters:c:Destinations:b:Address={_backend.Urls.First()}/",
        ]);
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_gateway is not null)
            await _gateway.DisposeAsync();
        await StopSiloAsync();
        if (_backend is not null)
            await _backend.DisposeAsync();
        try { Directory.Delete(_contentRoot, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Start_NoSilo_ServesLocallyThenGrainsDecideOnceASiloStarts_AndAgainAfterTheSiloIsReplaced()
    {
        // No silo: the host starts at once (Orleans's own client start would block until a silo answers).
        await _gateway!.StartAsync().WaitAsync(TimeSpan.FromSeconds(15));
        _http.BaseAddress = new Uri(_gateway.Urls.First());
        var connection = _gateway.Services.GetRequiredService<ClusterConnectionState>();

        Assert.False(await ConnectedAsync());
        for (var i = 0; i < 3; i++)
            Assert.Equal(LocalCapacity, await LimitOfAsync("u1"));
        Assert.Equal(3, await HttpProbe.MetricAsync(_http.BaseAddress, "granary_gateway_fallback_decisions_total{kind=\"rate_limit\"}"));
        Assert.Equal("0", await ConnectedGaugeAsync());

        // A silo starts on the configured gateway port: the gateway connects and the client grain decides.
        await StartSiloAsync();
        await EventuallyAsync(ConnectedAsync, "the gateway did not connect to the silo");
        await EventuallyAsync(async () => await LimitOfAsync("u2") == GrainCapacity, "the client grain did not decide");
        var fallbacks = await HttpProbe.MetricAsync(_http.BaseAddress, "granary_gateway_fallback_decisions_total{kind=\"rate_limit\"}");
        for (var i = 0; i < 3; i++)
            Assert.Equal(GrainCapacity, await LimitOfAsync("u3"));
        Assert.Equal(fallbacks, await HttpProbe.MetricAsync(_http.BaseAddress, "granary_gateway_fallback_decisions_total{kind=\"rate_limit\"}"));
        Assert.Equal("1", await ConnectedGaugeAsync());
        // The backend monitor configured the destination's grain after connecting.
        var backend = _silo!.Services.GetRequiredService<IGrainFactory>().GetGrain<IBackendGrain>(BackendKey.For("c", "b"));
        await EventuallyAsync(async () => (await backend.GetStatusAsync()).Configured, "the backend grain was not configured");

        // The silo stops: the connection is lost and decisions are local again, without waiting for a grain call.
        await StopSiloAsync();
        await EventuallyAsync(async () => !await ConnectedAsync(), "the gateway did not notice the lost connection");
        Assert.True(connection.Losses >= 1, $"losses: {connection.Losses}");
        Assert.Equal(LocalCapacity, await LimitOfAsync("u4"));

        // A new silo on the same ports: the gateway's probes reconnect it.
        await StartSiloAsync();
        await EventuallyAsync(ConnectedAsync, "the gateway did not reconnect to the new silo");
        await EventuallyAsync(async () => await LimitOfAsync("u5") == GrainCapacity, "the client grain did not decide after the reconnection");
    }

    private async Task StartSiloAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _contentRoot });
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(_siloPort, _gatewayPort, null, GatewayOrleansClient.ServiceId, GatewayOrleansClient.DefaultClusterId);
            silo.AddMemoryGrainStorage(GrainStorageNames.Default);
            silo.Services.AddGranaryGrains(o => (o.DefaultCapacity, o.DefaultRatePerSec) = (GrainCapacity, 1));
        });
        _silo = builder.Build();
        await _silo.StartAsync();
    }

    private async Task StopSiloAsync()
    {
        if (_silo is null)
            return;
        await _silo.StopAsync();
        _silo.Dispose();
        _silo = null;
    }

    private async Task<bool> ConnectedAsync()
    {
        using var health = JsonDocument.Parse(await _http.GetStringAsync("/healthz"));
        return health.RootElement.GetProperty("silo_connected").GetBoolean();
    }

    /// <summary>The value of <c>granary_gateway_silo_connected</c> on <c>/metrics</c>; fails when the series is missing.</summary>
    private async Task<string> ConnectedGaugeAsync()
    {
        var text = await _http.GetStringAsync("/metrics");
        var match = System.Text.RegularExpressions.Regex.Match(text, @"^granary_gateway_silo_connected(?:\{\})? (\d+)", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.True(match.Success, "granary_gateway_silo_connected is not exported");
        return match.Groups[1].Value;
    }

    /// <summary>One proxied request of <paramref name="clientId"/>; its RateLimit-Limit (which bucket decided).</summary>
    private async Task<long> LimitOfAsync(string clientId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/x");
        request.Headers.Add("X-Client-ID", clientId);
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("live", await response.Content.ReadAsStringAsync());
        return long.Parse(response.Headers.GetValues("RateLimit-Limit").Single(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(50);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
