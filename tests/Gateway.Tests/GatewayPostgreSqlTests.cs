using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Granary.Gateway.Cluster;
using Granary.Gateway.Hosting;
using Granary.Grains;
using Granary.PostgreSql.Hosting;
using Granary.Tests.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Granary.Gateway.Tests;

/// <summary>
/// With <c>Granary:PostgreSql:ConnectionString</c> the gateway finds the silos in Orleans's ADO.NET membership table
/// (Invariant <c>Npgsql</c>), on a database of its own (<see cref="TestDatabase"/>, server from <c>GRANARY_TEST_PG</c>):
/// started before the silo (and before the silo's migrations created the tables), it serves locally, then connects to
/// the silo that registers in the table, and the grains decide.
/// </summary>
public sealed class GatewayPostgreSqlTests : IAsyncLifetime
{
    private const long GrainCapacity = 9;
    private const long LocalCapacity = 1000;

    private readonly string _contentRoot = Directory.CreateTempSubdirectory("granary-gw-pg").FullName;
    private TestDatabase? _database;
    private WebApplication? _backend;
    private WebApplication? _gateway;
    private IHost? _silo;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        var backendBuilder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0", "--contentRoot", _contentRoot]);
        backendBuilder.Logging.ClearProviders();
        _backend = backendBuilder.Build();
        _backend.Map("/{**rest}", () => Results.Text("live"));
        await _backend.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_gateway is not null)
            await _gateway.DisposeAsync();
        if (_silo is not null)
        {
            await _silo.StopAsync();
            _silo.Dispose();
        }
        if (_backend is not null)
            await _backend.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
        try { Directory.Delete(_contentRoot, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Start_BeforeTheSiloAndItsTables_ConnectsThroughTheMembershipTable()
    {
        const string clusterId = "gw-pg-test";
        _gateway = GatewayApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--contentRoot", _contentRoot,
            "--Logging:LogLevel:Default=Warning",
            $"--Granary:PostgreSql:ConnectionString={_database!.ConnectionString}",
            $"--Granary:ClusterId={clusterId}",
            "--Granary:Client:ConnectRetryDelayMs=100",
            "--Granary:Client:GatewayListRefreshMs=200",
            $"--Granary:RateLimit:FallbackCapacity={LocalCapacity}",
            "--ReverseProxy:Routes:api:ClusterId=c",
            "--ReverseProxy:Routes:api:Match:Path=/api/{**rest}",
            $"--ReverseProxy:Clusters:c:Destinations:b:Address={_backend!.Urls.First()}/",
        ]);
        await _gateway.StartAsync().WaitAsync(TimeSpan.FromSeconds(15));
        _http.BaseAddress = new Uri(_gateway.Urls.First());

        Assert.False(await ConnectedAsync());
        Assert.Equal(LocalCapacity, await LimitOfAsync("p1"));

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _contentRoot });
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo =>
        {
            silo.UseGranaryPostgreSql(_database.ConnectionString);
            silo.ConfigureEndpoints(IPAddress.Loopback, FreePort(), FreePort(), listenOnAnyHostAddress: false);
            silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, GatewayOrleansClient.ServiceId));
            silo.Services.AddGranaryGrains(o => (o.DefaultCapacity, o.DefaultRatePerSec) = (GrainCapacity, 1));
        });
        _silo = builder.Build();
        await _silo.StartAsync();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await ConnectedAsync())
        {
            Assert.True(DateTime.UtcNow < deadline, "the gateway did not find the silo in the membership table");
            await Task.Delay(50);
        }
        while (await LimitOfAsync("p2") != GrainCapacity)
        {
            Assert.True(DateTime.UtcNow < deadline, "the client grain did not decide");
            await Task.Delay(50);
        }
    }

    private async Task<bool> ConnectedAsync()
    {
        using var health = JsonDocument.Parse(await _http.GetStringAsync("/healthz"));
        return health.RootElement.GetProperty("silo_connected").GetBoolean();
    }

    private async Task<long> LimitOfAsync(string clientId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/x");
        request.Headers.Add("X-Client-ID", clientId);
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return long.Parse(response.Headers.GetValues("RateLimit-Limit").Single(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
