using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace Granary.Hosting.Metrics;

/// <summary>
/// <c>/metrics</c> for Granary's hosts (silo and gateway), served by OpenTelemetry's Prometheus exporter
/// (<c>OpenTelemetry.Exporter.Prometheus.AspNetCore</c>) from the host's
/// <see cref="System.Diagnostics.Metrics"/> instruments.
/// <para>
/// Exported meters: every <c>Granary.*</c> meter and Orleans's <c>Microsoft.Orleans</c> (always), ASP.NET Core's
/// <c>Microsoft.AspNetCore.Hosting</c> (<see cref="GranaryMetricsOptions.HttpServerMetrics"/>), and
/// <see cref="GranaryMetricsOptions.Meters"/> (Kestrel's by default). Meters created by
/// another host's <see cref="IMeterFactory"/> in the same process are left out; meters made with
/// <c>new Meter(...)</c> are shared by every host of the process.
/// </para>
/// <para>
/// Shapes: a counter or observable counter is a Prometheus <c>counter</c> (sum since start); an up-down counter,
/// observable up-down counter, gauge or observable gauge is a <c>gauge</c> (observable instruments are read at
/// scrape time); a histogram is a <c>histogram</c> with cumulative <c>_bucket{le}</c>, <c>_sum</c> and <c>_count</c>.
/// One series per tag set, tags as labels (dots become '_'; a series without tags is written <c>name{} value</c>);
/// past 2000 tag sets of one instrument new ones go to a series labelled <c>otel_metric_overflow="true"</c>.
/// An instrument appears with its first measurement (or, if observable, its first non-empty reading).
/// </para>
/// <para>
/// Names: every character but ASCII letters and digits becomes '_'; a base unit becomes a suffix
/// (<c>s</c> → <c>_seconds</c>, <c>By</c> → <c>_bytes</c>, <c>%</c> → <c>_percent</c>, the same spelled out,
/// <c>By/s</c> → <c>_bytes_per_second</c>); <c>1</c> and annotation units (<c>{request}</c>) add nothing; counters end in
/// <c>_total</c>. Scaled units (<c>ms</c>, <c>us</c>, <c>MBy</c>, …) are left out of the name and named in HELP
/// (<c>(unit: ms)</c>), because <c>promtool check metrics</c> refuses <c>_ms</c> ("abbreviated units") and
/// <c>_milliseconds</c> ("use base unit seconds"); their values stay in that unit. Examples:
/// <c>granary.gateway.requests</c> (counter, <c>{request}</c>) → <c>granary_gateway_requests_total</c>;
/// <c>granary.gateway.request_duration</c> (histogram, <c>ms</c>) → <c>granary_gateway_request_duration</c>
/// (buckets in ms); <c>http.server.request.duration</c> (histogram, <c>s</c>) →
/// <c>http_server_request_duration_seconds</c>; <c>orleans-app-requests-latency</c> (ms) →
/// <c>orleans_app_requests_latency</c>. HELP is the instrument's description, or its name when it has none.
/// </para>
/// </summary>
public static class GranaryMetricsExtensions
{
    /// <summary>The only format served: Prometheus text 0.0.4, what <c>promtool check metrics</c> checks.</summary>
    private const string TextFormat = "text/plain; version=0.0.4";

    /// <summary>
    /// Adds OpenTelemetry metrics with the Prometheus exporter to the host's services, exporting the meters
    /// described on <see cref="GranaryMetricsExtensions"/>. Also adds <see cref="IMeterFactory"/>
    /// (<c>services.AddMetrics()</c>). Call once per host, before building it; then map the endpoint with
    /// <see cref="MapGranaryMetrics"/>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Optional: more meters, ASP.NET Core's request meter on or off, ms histogram buckets.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="ArgumentException">The options fail <see cref="GranaryMetricsOptions.Validate"/>; the message names each property and its limits.</exception>
    /// <exception cref="InvalidOperationException">Called a second time on the same services.</exception>
    public static IServiceCollection AddGranaryMetrics(this IServiceCollection services, Action<GranaryMetricsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(static d => d.ServiceType == typeof(GranaryMetricsRegistration)))
            throw new InvalidOperationException("AddGranaryMetrics was already called on these services; call it once per host.");

        var options = new GranaryMetricsOptions();
        configure?.Invoke(options);
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
            throw new ArgumentException("Invalid Granary metrics options: " + string.Join(" ", problems), nameof(configure));

        List<string> meters = [GranaryMeterNames.Granary, GranaryMeterNames.Orleans];
        if (options.HttpServerMetrics)
            meters.Add(GranaryMeterNames.HttpServer);
        foreach (var meter in options.Meters)
        {
            if (!meters.Contains(meter, StringComparer.Ordinal))
                meters.Add(meter);
        }
        var buckets = options.MillisecondHistogramBuckets.ToArray();

        services.AddSingleton(new GranaryMetricsRegistration(meters));
        services.AddMetrics();
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter([.. meters]);
            if (metrics is not IDeferredMeterProviderBuilder deferred)
                throw new InvalidOperationException("OpenTelemetry's hosting builder no longer supports deferred configuration; Granary's metric views cannot be added.");
            deferred.Configure((provider, builder) =>
                builder.AddView(new MetricStreams(provider.GetRequiredService<IMeterFactory>(), buckets).Configure));
            metrics.AddPrometheusExporter(exporter =>
            {
                // Names are made whole by MetricStreams (suffixes included), so the exporter adds none of its own.
                exporter.TranslationStrategy = PrometheusAspNetCoreTranslationStrategy.UnderscoreEscapingWithoutSuffixes;
                // Every scrape reads fresh values (the default caches a scrape for 300 ms).
                exporter.ScrapeResponseCacheDurationMilliseconds = 0;
                // Only the instruments: no target_info series, no otel_scope_* labels (the old exporter's shape).
                exporter.TargetInfoEnabled = false;
                exporter.ScopeInfoEnabled = false;
            });
        });
        return services;
    }

    /// <summary>
    /// Maps <c>GET</c> and <c>HEAD</c> <paramref name="pattern"/> to a scrape: status 200, content type
    /// <c>text/plain; charset=utf-8; version=0.0.4</c>, the Prometheus text format 0.0.4 whatever the request's
    /// <c>Accept</c> (OpenMetrics is not negotiated, so what Prometheus reads is what promtool checks). Observable
    /// instruments are read during the scrape; a failed collection answers 500 with an empty body. Add
    /// authorization or other conventions to the returned builder.
    /// </summary>
    /// <param name="endpoints">The host's endpoints (a <c>WebApplication</c>).</param>
    /// <param name="pattern">The path; default <c>/metrics</c>.</param>
    /// <returns>The endpoint's convention builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> is empty or blank.</exception>
    /// <exception cref="InvalidOperationException"><see cref="AddGranaryMetrics"/> was not called on the host's services.</exception>
    public static IEndpointConventionBuilder MapGranaryMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        if (endpoints.ServiceProvider.GetService<GranaryMetricsRegistration>() is null)
            throw new InvalidOperationException("Call services.AddGranaryMetrics() before endpoints.MapGranaryMetrics().");

        return endpoints
            .MapPrometheusScrapingEndpoint(pattern, meterProvider: null, configureBranchedPipeline: static branch => branch.Use(PinTextFormat), optionsName: null)
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]))
            .WithDisplayName("Granary metrics (Prometheus)");
    }

    private static Task PinTextFormat(HttpContext context, RequestDelegate next)
    {
        context.Request.Headers.Accept = TextFormat;
        return next(context);
    }
}
