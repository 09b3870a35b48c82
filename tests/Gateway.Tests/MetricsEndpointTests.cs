using Granary.Gateway.Hosting;
using Granary.Gateway.Tests.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Granary.Gateway.Tests;

/// <summary><c>/metrics</c> through Granary.Hosting.Metrics: ASP.NET Core's per-request meter only with <c>Granary:Gateway:HttpServerMetrics</c>.</summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("granary-gw-metrics").FullName;
    private readonly List<WebApplication> _apps = [];
    private string _backendUrl = "";

    public async Task InitializeAsync()
    {
        var backendBuilder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0", "--contentRoot", _contentRoot]);
        backendBuilder.Logging.ClearProviders();
        var backend = backendBuilder.Build();
        backend.Map("/{**rest}", () => Results.Text("live"));
        _apps.Add(backend);
        await backend.StartAsync();
        _backendUrl = backend.Urls.First();
    }

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
            await app.DisposeAsync();
        try { Directory.Delete(_contentRoot, recursive: true); } catch (IOException) { }
    }

    private async Task<string> ScrapeAfterOneRequestAsync(params string[] extra)
    {
        var gateway = GatewayApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--contentRoot", _contentRoot,
            "--Logging:LogLevel:Default=Warning",
            "--ReverseProxy:Routes:api:ClusterId=c",
            "--ReverseProxy:Routes:api:Match:Path=/api/{**rest}",
            $"--ReverseProxy:Clusters:c:Destinations:b:Address={_backendUrl}/",
            .. extra,
        ], useGrainClient: false, configure: builder =>
        {
            builder.Services.AddSingleton<IGrainFactory>(new FakeGrainFactory());
            builder.Services.AddSingleton(TestConnection.Connected());
        });
        _apps.Add(gateway);
        await gateway.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Urls.First()) };
        Assert.Equal("live", await http.GetStringAsync("/api/x"));
        var text = await http.GetStringAsync("/metrics");
        Assert.Contains("granary_gateway_requests_total{cluster=\"c\",destination=\"b\",outcome=\"success\"} 1", text, StringComparison.Ordinal);
        return text;
    }

    [Fact]
    public async Task Metrics_Default_NoPerRequestHttpServerHistogram()
    {
        var text = await ScrapeAfterOneRequestAsync();

        Assert.DoesNotContain("http_server_request_duration_seconds", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_HttpServerMetricsOn_PerRequestHistogramExported()
    {
        var text = await ScrapeAfterOneRequestAsync("--Granary:Gateway:HttpServerMetrics=true");

        Assert.Contains("http_server_request_duration_seconds_count", text, StringComparison.Ordinal);
    }
}
