using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Granary.Runtime.Diagnostics;

/// <summary>
/// A small built-in Prometheus exporter for <see cref="System.Diagnostics.Metrics"/> instruments
/// (no exporter package is available to this build). Counters are summed, up-down counters and
/// gauges give their current value, observable instruments are read at scrape time, histograms
/// have fixed buckets (ms by default) plus <c>_sum</c> and <c>_count</c>, all per tag set.
/// Names: dots become '_', a unit suffix is added (<c>ms</c> → <c>_ms</c>, <c>s</c> → <c>_seconds</c>,
/// <c>By</c> → <c>_bytes</c>) and <c>_total</c> for counters, e.g. <c>granary.gateway.requests</c>
/// (counter, unit <c>{request}</c>) → <c>granary_gateway_requests_total</c>.
/// </summary>
public static class PrometheusMetricsExtensions
{
    /// <summary>Registers the collector (a <see cref="MeterListener"/> over the exported meters). Call once per host.</summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Optional: change the exported meter prefixes or the default histogram buckets.</param>
    public static IServiceCollection AddPrometheusMetrics(this IServiceCollection services, Action<PrometheusExporterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        services.TryAddSingleton(sp =>
        {
            var options = new PrometheusExporterOptions();
            configure?.Invoke(options);
            return new PrometheusCollector(options, sp.GetService<IMeterFactory>());
        });
        services.AddHostedService<PrometheusCollectorStarter>();
        return services;
    }

    /// <summary>
    /// Maps <c>GET <paramref name="pattern"/></c> to a scrape: status 200, content type
    /// <c>text/plain; version=0.0.4; charset=utf-8</c>, the text exposition format 0.0.4.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="AddPrometheusMetrics"/> was not called.</exception>
    public static IEndpointConventionBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var collector = endpoints.ServiceProvider.GetService<PrometheusCollector>()
            ?? throw new InvalidOperationException("Call services.AddPrometheusMetrics() before endpoints.MapPrometheusMetrics().");
        return endpoints.MapGet(pattern, (RequestDelegate)(context =>
        {
            context.Response.ContentType = PrometheusText.ContentType;
            context.Response.Headers.CacheControl = "no-store";
            return context.Response.WriteAsync(collector.Scrape(), context.RequestAborted);
        }));
    }
}
