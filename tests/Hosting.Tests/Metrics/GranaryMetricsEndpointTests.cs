using System.Diagnostics.Metrics;
using System.Net;
using Granary.Hosting.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.Hosting.Tests.Metrics;

/// <summary>
/// <c>AddGranaryMetrics</c> + <c>MapGranaryMetrics</c> on a real Kestrel host: Granary-style instruments of
/// every shape, ASP.NET Core's and Kestrel's meters, scraped over HTTP and checked by promtool.
/// </summary>
public sealed class GranaryMetricsEndpointTests
{
    private static readonly KeyValuePair<string, object?>[] C1Success = [new("cluster", "c1"), new("outcome", "success")];

    [Fact]
    public async Task MapGranaryMetrics_GranaryInstruments_ServesNamesTypesHelpAndValues()
    {
        await using var host = await MetricsHost.StartAsync();
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        var gateway = meters.Create("Granary.Gateway");
        var requests = gateway.CreateCounter<long>("granary.gateway.requests", "{request}", "Proxied requests by cluster and outcome.");
        var duration = gateway.CreateHistogram<double>("granary.gateway.request_duration", "ms", "Time from forwarding to the end of the response, ms.");
        var connections = gateway.CreateUpDownCounter<long>("granary.gateway.test_connections", "{connection}", "Connections open now.");
        gateway.CreateObservableGauge("granary.gateway.in_flight", () => new Measurement<int>(7, new KeyValuePair<string, object?>("destination", "d1")),
            "{request}", "This gateway's requests in flight per destination.");
        var silo = meters.Create("Granary.Silo");
        var authFailures = silo.CreateCounter<long>("granary.silo.auth.failures", "{attempt}", "Refused admin keys, by reason.");

        requests.Add(2, C1Success);
        requests.Add(1, C1Success);
        requests.Add(1, new KeyValuePair<string, object?>("cluster", "c2"), new KeyValuePair<string, object?>("outcome", "timeout"));
        duration.Record(3, C1Success);
        duration.Record(12.5, C1Success);
        duration.Record(700, C1Success);
        connections.Add(5);
        connections.Add(-2);
        authFailures.Add(1, new KeyValuePair<string, object?>("reason", "missing"));

        var scrape = await host.ScrapeAsync();

        Assert.Equal("counter", scrape.Types["granary_gateway_requests_total"]);
        Assert.Equal("Proxied requests by cluster and outcome.", scrape.Helps["granary_gateway_requests_total"]);
        Assert.Equal(3, scrape.Value("granary_gateway_requests_total{cluster=\"c1\",outcome=\"success\"}"));
        Assert.Equal(1, scrape.Value("granary_gateway_requests_total{cluster=\"c2\",outcome=\"timeout\"}"));

        Assert.Equal("histogram", scrape.Types["granary_gateway_request_duration"]);
        Assert.Equal("Time from forwarding to the end of the response, ms. (unit: ms)", scrape.Helps["granary_gateway_request_duration"]);
        const string labels = "cluster=\"c1\",outcome=\"success\"";
        // The default ms buckets, cumulative: 3 ≤ 5, 12.5 ≤ 25, 700 ≤ 1000.
        Assert.Equal(0, scrape.Value($"granary_gateway_request_duration_bucket{{{labels},le=\"2\"}}"));
        Assert.Equal(1, scrape.Value($"granary_gateway_request_duration_bucket{{{labels},le=\"5\"}}"));
        Assert.Equal(2, scrape.Value($"granary_gateway_request_duration_bucket{{{labels},le=\"25\"}}"));
        Assert.Equal(2, scrape.Value($"granary_gateway_request_duration_bucket{{{labels},le=\"500\"}}"));
        Assert.Equal(3, scrape.Value($"granary_gateway_request_duration_bucket{{{labels},le=\"1000\"}}"));
        Assert.Equal(3, scrape.Value($"granary_gateway_request_duration_bucket{{{labels},le=\"+Inf\"}}"));
        Assert.Equal(715.5, scrape.Value($"granary_gateway_request_duration_sum{{{labels}}}"));
        Assert.Equal(3, scrape.Value($"granary_gateway_request_duration_count{{{labels}}}"));
        var bounds = scrape.Samples.Keys
            .Where(k => k.StartsWith($"granary_gateway_request_duration_bucket{{{labels},le=", StringComparison.Ordinal))
            .Select(k => k.Split("le=\"")[1].TrimEnd('}', '"'))
            .ToArray();
        Assert.Equal(GranaryMetricsOptions.DefaultMillisecondBuckets.Select(b => b.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("+Inf"), bounds);

        Assert.Equal("gauge", scrape.Types["granary_gateway_test_connections"]);
        Assert.Equal(3, scrape.Value("granary_gateway_test_connections{}"));
        Assert.Equal("gauge", scrape.Types["granary_gateway_in_flight"]);
        Assert.Equal(7, scrape.Value("granary_gateway_in_flight{destination=\"d1\"}"));
        Assert.Equal("counter", scrape.Types["granary_silo_auth_failures_total"]);
        Assert.Equal(1, scrape.Value("granary_silo_auth_failures_total{reason=\"missing\"}"));

        // The old exporter's names are gone (promtool refuses "_ms").
        Assert.DoesNotContain("granary_gateway_request_duration_ms", scrape.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("target_info", scrape.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("otel_scope_name", scrape.Text, StringComparison.Ordinal);
        await Promtool.AssertCleanAsync(scrape.Text);
    }

    [Fact]
    public async Task MapGranaryMetrics_AfterHttpRequests_ExportsAspNetCoreAndKestrelMetersAndPassesPromtool()
    {
        await using var host = await MetricsHost.StartAsync();
        for (var i = 0; i < 3; i++)
            Assert.Equal("hello", await host.Http.GetStringAsync("/hello"));
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/missing")).StatusCode);

        var scrape = await host.ScrapeAsync();

        Assert.Equal("histogram", scrape.Types["http_server_request_duration_seconds"]);
        var helloCount = scrape.Samples.Single(s =>
            s.Key.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal) && s.Key.Contains("http_route=\"/hello\"", StringComparison.Ordinal));
        Assert.Equal(3, helloCount.Value);
        Assert.Contains(scrape.Samples.Keys, k => k.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal)
            && k.Contains("http_response_status_code=\"404\"", StringComparison.Ordinal));
        Assert.Equal("gauge", scrape.Types["http_server_active_requests"]);
        Assert.Equal(1, scrape.Value("kestrel_active_connections{network_transport=\"tcp\",network_type=\"ipv4\",server_address=\"127.0.0.1\",server_port=\""
            + new Uri(host.App.Urls.First()).Port.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"}"));
        await Promtool.AssertCleanAsync(scrape.Text);
    }

    [Fact]
    public async Task AddGranaryMetrics_HttpServerMetricsOff_LeavesOutTheRequestMeterOnly()
    {
        await using var host = await MetricsHost.StartAsync(o => o.HttpServerMetrics = false);
        await host.Http.GetStringAsync("/hello");

        var scrape = await host.ScrapeAsync();

        Assert.False(scrape.HasSeriesOf("http_server_request_duration_seconds"));
        Assert.False(scrape.Types.ContainsKey("http_server_active_requests"));
        Assert.Equal("gauge", scrape.Types["kestrel_active_connections"]);
    }

    [Fact]
    public async Task AddGranaryMetrics_MetersCleared_ExportsNoKestrelMeter()
    {
        await using var host = await MetricsHost.StartAsync(o => o.Meters.Clear());
        await host.Http.GetStringAsync("/hello");

        var scrape = await host.ScrapeAsync();

        Assert.DoesNotContain(scrape.Types.Keys, k => k.StartsWith("kestrel_", StringComparison.Ordinal));
        Assert.Equal("histogram", scrape.Types["http_server_request_duration_seconds"]);
    }

    [Fact]
    public async Task AddGranaryMetrics_ExtraMeter_IsExportedAndOthersAreNot()
    {
        await using var host = await MetricsHost.StartAsync(o => o.Meters.Add("Acme.Shop"));
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        meters.Create("Acme.Shop").CreateCounter<long>("acme.shop.orders", "{order}", "Orders.").Add(4);
        meters.Create("Acme.Other").CreateCounter<long>("acme.other.things", "{thing}", "Things.").Add(4);

        var scrape = await host.ScrapeAsync();

        Assert.Equal(4, scrape.Value("acme_shop_orders_total{}"));
        Assert.False(scrape.HasSeriesOf("acme_other_things_total"));
    }

    [Fact]
    public async Task AddGranaryMetrics_CustomBuckets_UsedForGranaryMillisecondHistogramsOnly()
    {
        await using var host = await MetricsHost.StartAsync(o => o.MillisecondHistogramBuckets = [1, 10, 100]);
        var meter = host.Services.GetRequiredService<IMeterFactory>().Create("Granary.Gateway");
        meter.CreateHistogram<double>("granary.gateway.request_duration", "ms", "Duration.").Record(50);
        // An instrument with its own bucket advice keeps it.
        meter.CreateHistogram<double>("granary.gateway.advised", "ms", "Advised.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [7, 70] }).Record(50);

        var scrape = await host.ScrapeAsync();

        Assert.Equal(
            ["granary_gateway_request_duration_bucket{le=\"1\"}", "granary_gateway_request_duration_bucket{le=\"10\"}",
             "granary_gateway_request_duration_bucket{le=\"100\"}", "granary_gateway_request_duration_bucket{le=\"+Inf\"}"],
            scrape.Samples.Keys.Where(k => k.StartsWith("granary_gateway_request_duration_bucket", StringComparison.Ordinal)));
        Assert.Equal(1, scrape.Value("granary_gateway_request_duration_bucket{le=\"100\"}"));
        Assert.Equal(
            ["granary_gateway_advised_bucket{le=\"7\"}", "granary_gateway_advised_bucket{le=\"70\"}", "granary_gateway_advised_bucket{le=\"+Inf\"}"],
            scrape.Samples.Keys.Where(k => k.StartsWith("granary_gateway_advised_bucket", StringComparison.Ordinal)));
        await Promtool.AssertCleanAsync(scrape.Text);
    }

    [Fact]
    public async Task MapGranaryMetrics_TwoHostsInOneProcess_EachExportsOnlyItsOwnMeters()
    {
        await using var first = await MetricsHost.StartAsync();
        await using var second = await MetricsHost.StartAsync();
        first.Services.GetRequiredService<IMeterFactory>().Create("Granary.Gateway")
            .CreateCounter<long>("granary.gateway.requests", "{request}", "Requests.").Add(1);
        second.Services.GetRequiredService<IMeterFactory>().Create("Granary.Gateway")
            .CreateCounter<long>("granary.gateway.requests", "{request}", "Requests.").Add(5);

        var firstScrape = await first.ScrapeAsync();
        var secondScrape = await second.ScrapeAsync();

        Assert.Equal(1, firstScrape.Value("granary_gateway_requests_total{}"));
        Assert.Equal(5, secondScrape.Value("granary_gateway_requests_total{}"));
    }

    [Fact]
    public async Task MapGranaryMetrics_OpenMetricsAccepted_StillServesText004()
    {
        await using var host = await MetricsHost.StartAsync();
        host.Services.GetRequiredService<IMeterFactory>().Create("Granary.Gateway")
            .CreateCounter<long>("granary.gateway.requests", "{request}", "Requests.").Add(2);

        var scrape = await host.ScrapeAsync("application/openmetrics-text; version=1.0.0");

        Assert.Equal(2, scrape.Value("granary_gateway_requests_total{}"));
        Assert.DoesNotContain("# EOF", scrape.Text, StringComparison.Ordinal);
        await Promtool.AssertCleanAsync(scrape.Text);
    }

    [Fact]
    public async Task MapGranaryMetrics_Post_Returns405()
    {
        await using var host = await MetricsHost.StartAsync();

        using var response = await host.Http.PostAsync("/metrics", content: null);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task MapGranaryMetrics_WithoutAddGranaryMetrics_Throws()
    {
        var builder = WebApplication.CreateBuilder();
        await using var app = builder.Build();

        var e = Assert.Throws<InvalidOperationException>(() => app.MapGranaryMetrics());

        Assert.Contains("AddGranaryMetrics", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MapGranaryMetrics_BlankPattern_Throws()
    {
        var endpoints = new RouteBuilderStub();

        Assert.Throws<ArgumentException>(() => endpoints.MapGranaryMetrics(" "));
    }

    [Fact]
    public void AddGranaryMetrics_CalledTwice_Throws()
    {
        var services = new ServiceCollection();
        services.AddGranaryMetrics();

        var e = Assert.Throws<InvalidOperationException>(() => services.AddGranaryMetrics());

        Assert.Contains("once per host", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddGranaryMetrics_InvalidBuckets_ThrowsNamingTheProperty()
    {
        var services = new ServiceCollection();

        var e = Assert.Throws<ArgumentException>(() => services.AddGranaryMetrics(o => o.MillisecondHistogramBuckets = [5, 1]));

        Assert.Contains("MillisecondHistogramBuckets must be strictly ascending", e.Message, StringComparison.Ordinal);
        Assert.Empty(services);
    }

    private sealed class RouteBuilderStub : IEndpointRouteBuilder
    {
        public IServiceProvider ServiceProvider { get; } = new ServiceCollection().BuildServiceProvider();

        public ICollection<EndpointDataSource> DataSources { get; } = [];

        public IApplicationBuilder CreateApplicationBuilder() => throw new NotSupportedException();
    }
}
