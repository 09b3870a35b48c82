using System.Net.Http.Headers;
using Granary.Hosting.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Granary.Hosting.Tests.Metrics;

/// <summary>
/// A real Kestrel host on 127.0.0.1 (port 0, so a free one) with <c>AddGranaryMetrics</c>,
/// <c>MapGranaryMetrics</c> and a <c>GET /hello</c> endpoint; an <see cref="HttpClient"/> on it.
/// </summary>
internal sealed class MetricsHost : IAsyncDisposable
{
    private MetricsHost(WebApplication app)
    {
        App = app;
        Http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<MetricsHost> StartAsync(
        Action<GranaryMetricsOptions>? configure = null,
        Action<WebApplicationBuilder>? configureBuilder = null)
    {
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        builder.Services.AddGranaryMetrics(configure);
        configureBuilder?.Invoke(builder);
        var app = builder.Build();
        app.MapGet("/hello", () => "hello");
        app.MapGranaryMetrics();
        await app.StartAsync();
        return new MetricsHost(app);
    }

    /// <summary>GET /metrics: asserts 200 and the text 0.0.4 content type, returns the parsed body.</summary>
    public async Task<Scrape> ScrapeAsync(string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (accept is not null)
            request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(accept));
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"/metrics answered {(int)response.StatusCode}: {body}");
        var contentType = response.Content.Headers.ContentType;
        Assert.Equal("text/plain", contentType?.MediaType);
        Assert.Contains(contentType!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
        return Scrape.Parse(body);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
