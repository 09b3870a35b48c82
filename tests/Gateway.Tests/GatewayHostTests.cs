using System.Net;
using System.Net.Sockets;
using System.Text;
using Granary.Gateway.Balancing;
using Granary.Gateway.Hosting;
using Granary.Gateway.Tests.Fakes;
using Granary.Grains.Contracts;
using Granary.Tests.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Granary.Gateway.Tests;

/// <summary>
/// The whole gateway on real sockets (Kestrel on 127.0.0.1, YARP, a live backend and a
/// refused port), with fake grains: proves that YARP tolerates our second <c>next()</c> (the retry),
/// JSON errors, 429, <c>/healthz</c>, <c>/metrics</c>, the heartbeat and the final in-flight reports on stop.
/// </summary>
public sealed class GatewayHostTests : IAsyncLifetime
{
    private readonly FakeGrainFactory _grains = new();
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("granary-gw-test").FullName;
    private WebApplication? _backend;
    private WebApplication? _gateway;
    private HttpClient _http = new();
    private string _url = "";

    public async Task InitializeAsync()
    {
        var backendBuilder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0", "--contentRoot", _contentRoot]);
        backendBuilder.Logging.ClearProviders();
        _backend = backendBuilder.Build();
        _backend.Map("/{**rest}", async (HttpContext ctx) =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var body = await reader.ReadToEndAsync();
            return Results.Text($"live {ctx.Request.Method} {body.Length}");
        });
        await _backend.StartAsync();
        var backendUrl = _backend.Urls.First();

        var deadPort = RefusedPort();
        _gateway = GatewayApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--contentRoot", _contentRoot,
            "--Logging:LogLevel:Default=Warning",
            "--Granary:Gateway:Id=gw-it",
            "--ReverseProxy:Routes:api:ClusterId=c",
            "--ReverseProxy:Routes:api:Match:Path=/api/{**rest}",
            "--ReverseProxy:Clusters:c:Metadata:Granary.Policy=RoundRobin",
            $"--ReverseProxy:Clusters:c:Destinations:a-dead:Address=http://127.0.0.1:{deadPort}/",
            $"--ReverseProxy:Clusters:c:Destinations:b-live:Address={backendUrl}/",
        ], useGrainClient: false, configure: builder =>
        {
            builder.Services.AddSingleton<IGrainFactory>(_grains);
            builder.Services.AddSingleton(TestConnection.Connected());
            // Always the first candidate in id order: "a-dead" while it is a candidate.
            builder.Services.AddSingleton<IPolicyProvider>(new RecordingPolicy());
        });
        await _gateway.StartAsync();
        _url = _gateway.Urls.First();
        _http = new HttpClient { BaseAddress = new Uri(_url) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_gateway is not null)
            await _gateway.DisposeAsync();
        if (_backend is not null)
            await _backend.DisposeAsync();
        try { Directory.Delete(_contentRoot, recursive: true); } catch (IOException) { }
    }

    private static int RefusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task Proxy_RealYarp_PostNotRetriedPutAndGetRetriedOnLiveDestination()
    {
        // POST is not idempotent: the refused connect becomes a 502 JSON error, no retry.
        using var post = await _http.PostAsync("/api/x", new StringContent("body"));
        Assert.Equal(HttpStatusCode.BadGateway, post.StatusCode);
        Assert.Equal("application/json", post.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("{\"code\":502,\"message\":\"Backend failed: Request", await post.Content.ReadAsStringAsync());

        // PUT with a body: the first pick (a-dead) is refused, YARP runs a second time on b-live and the body arrives whole.
        using var put = await _http.PutAsync("/api/y", new StringContent("payload", Encoding.UTF8));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("live PUT 7", await put.Content.ReadAsStringAsync());

        // a-dead is now avoided locally; pretend its grain says healthy again so the next GET tries it first.
        var entry = _gateway!.Services.GetRequiredService<ClusterBalancerRegistry>().FindEntry("c", "a-dead")!;
        entry.ApplyStatus(new BackendStatus(true, true, true, false, 0, 0, 1, 0, 0), 0, entry.NextSequence(), TimeProvider.System.GetTimestamp());
        using var get = await _http.GetAsync("/api/x");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("live GET 0", await get.Content.ReadAsStringAsync());

        Assert.Equal(3, _grains.Backend("c/a-dead").BatchedOutcomes.Count(o => o.Outcome == OutcomeKind.ConnectFailure));
        Assert.Equal(2, _grains.Backend("c/b-live").BatchedOutcomes.Count(o => o.Outcome == OutcomeKind.Success && o.GatewayId == "gw-it"));
    }

    [Fact]
    public async Task Proxy_RateLimited_429ContractThroughRealPipeline()
    {
        _grains.Client("limited").Behavior = _ => ValueTask.FromResult(new RateLimitDecision(false, 20, 0, 4, 19));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/x");
        request.Headers.Add("X-Client-ID", "limited");

        using var response = await _http.SendAsync(request);

        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        Assert.Equal("{\"code\":429,\"message\":\"Rate limit exceeded\"}", await response.Content.ReadAsStringAsync());
        Assert.Equal("4", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("20", response.Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("0", response.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.Equal("19", response.Headers.GetValues("RateLimit-Reset").Single());
    }

    [Fact]
    public async Task Endpoints_HealthzMetricsAndUnmatchedRoute_AnswerAsSpecified()
    {
        Assert.Equal("{\"status\":\"ok\",\"silo_connected\":true}", await _http.GetStringAsync("/healthz"));

        using var missing = await _http.GetAsync("/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"code\":404,\"message\":\"No route matches the request\"}", await missing.Content.ReadAsStringAsync());

        await _http.GetAsync("/api/m");
        var metrics = await _http.GetStringAsync("/metrics");
        Assert.Contains("granary_gateway_requests_total", metrics);
        Assert.Contains("granary_gateway_in_flight", metrics);
    }

    [Fact]
    public async Task Metrics_PerDestinationGauges_HealthyEjectedAndInFlightByClusterAndDestination()
    {
        var gateway = new Uri(_url);
        // A GET to a-dead is refused at connect: this gateway marks it unhealthy and retries on b-live.
        using var get = await _http.GetAsync("/api/x");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(0, await HttpProbe.MetricAsync(gateway, "granary_gateway_destination_healthy{cluster=\"c\",destination=\"a-dead\"}"));
        Assert.Equal(0, await HttpProbe.MetricAsync(gateway, "granary_gateway_destination_ejected{cluster=\"c\",destination=\"a-dead\"}"));
        Assert.Equal(1, await HttpProbe.MetricAsync(gateway, "granary_gateway_destination_healthy{cluster=\"c\",destination=\"b-live\"}"));

        // Then b-live's grain says: ejected by outlier detection, 5 in flight from all gateways (none of them ours).
        var live = _gateway!.Services.GetRequiredService<ClusterBalancerRegistry>().FindEntry("c", "b-live")!;
        live.ApplyStatus(new BackendStatus(true, false, true, true, 5, 0, 1, 0, 0), 0, live.NextSequence(), TimeProvider.System.GetTimestamp());

        Assert.Equal(0, await HttpProbe.MetricAsync(gateway, "granary_gateway_destination_healthy{cluster=\"c\",destination=\"b-live\"}"));
        Assert.Equal(1, await HttpProbe.MetricAsync(gateway, "granary_gateway_destination_ejected{cluster=\"c\",destination=\"b-live\"}"));
        Assert.Equal(5, await HttpProbe.MetricAsync(gateway, "granary_gateway_destination_in_flight{cluster=\"c\",destination=\"b-live\"}"));
        var text = await _http.GetStringAsync("/metrics");
        Assert.Contains("# TYPE granary_gateway_destination_healthy gauge", text, StringComparison.Ordinal);
        Assert.Contains("granary_gateway_destination_healthy{cluster=\"c\",destination=\"a-dead\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("granary_gateway_destination_ejected{cluster=\"c\",destination=\"a-dead\"} 0", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Heartbeat_Running_ReportsToTheGatewayGrainEverySecond()
    {
        await _http.GetAsync("/api/h");

        // Real clock: the first beat is due 1 s after start; wait up to 5 s.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (_grains.Gateway("gw-it").Reports.IsEmpty && DateTime.UtcNow < deadline)
            await Task.Delay(50);

        var stats = Assert.Single(_grains.Gateway("gw-it").Reports.Take(1));
        Assert.Equal(("gw-it", true), (stats.GatewayId, stats.SiloConnected));
    }

    [Fact]
    public async Task Stop_AfterRequests_FinalInFlightReportsAreZero()
    {
        await _http.GetAsync("/api/x");
        await _http.GetAsync("/api/x");

        await _gateway!.StopAsync();

        foreach (var key in new[] { "c/a-dead", "c/b-live" })
        {
            var reports = _grains.Backend(key).InFlightReports.ToArray();
            Assert.NotEmpty(reports);
            Assert.Equal(0, reports[^1].InFlight);
        }
        Assert.NotEmpty(_grains.Backend("c/b-live").Configs);
    }
}
