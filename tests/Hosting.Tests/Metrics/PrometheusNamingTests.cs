using Granary.Hosting.Metrics;

namespace Granary.Hosting.Tests.Metrics;

/// <summary>The name mapping, instrument by instrument: the rows of docs/metrics-renames.md.</summary>
public sealed class PrometheusNamingTests
{
    [Theory]
    // Granary's instruments (src/Gateway/Diagnostics/GatewayMetrics.cs, src/Silo/SiloMetrics.cs).
    [InlineData("granary.gateway.requests", "{request}", true, "granary_gateway_requests_total")]
    [InlineData("granary.gateway.request_duration", "ms", false, "granary_gateway_request_duration")]
    [InlineData("granary.gateway.rate_limited", "{request}", true, "granary_gateway_rate_limited_total")]
    [InlineData("granary.gateway.retries", "{request}", true, "granary_gateway_retries_total")]
    [InlineData("granary.gateway.fallback_decisions", "{decision}", true, "granary_gateway_fallback_decisions_total")]
    [InlineData("granary.gateway.no_healthy_destination", "{request}", true, "granary_gateway_no_healthy_destination_total")]
    [InlineData("granary.gateway.grain_call_failures", "{call}", true, "granary_gateway_grain_call_failures_total")]
    [InlineData("granary.gateway.invalid_client_ids", "{request}", true, "granary_gateway_invalid_client_ids_total")]
    [InlineData("granary.gateway.limit_rejections", "{request}", true, "granary_gateway_limit_rejections_total")]
    [InlineData("granary.gateway.in_flight", "{request}", false, "granary_gateway_in_flight")]
    [InlineData("granary.silo.grain_activations", "{activation}", false, "granary_silo_grain_activations")]
    [InlineData("granary.silo.admin.changes", "{change}", true, "granary_silo_admin_changes_total")]
    [InlineData("granary.silo.limit_rejections", "{request}", true, "granary_silo_limit_rejections_total")]
    [InlineData("granary.silo.auth.failures", "{attempt}", true, "granary_silo_auth_failures_total")]
    // Units.
    [InlineData("http.server.request.duration", "s", false, "http_server_request_duration_seconds")]
    [InlineData("dotnet.gc.heap.total_allocated", "By", true, "dotnet_gc_heap_total_allocated_bytes_total")]
    [InlineData("x.io", "By/s", false, "x_io_bytes_per_second")]
    [InlineData("x.rate", "{request}/s", false, "x_rate_per_second")]
    [InlineData("x.share", "%", false, "x_share_percent")]
    [InlineData("x.ratio", "1", false, "x_ratio")]
    [InlineData("x.none", null, true, "x_none_total")]
    [InlineData("orleans-messaging-sent-header-size", "bytes", true, "orleans_messaging_sent_header_size_bytes_total")]
    [InlineData("orleans-app-requests-latency", "ms", false, "orleans_app_requests_latency")]
    [InlineData("orleans-runtime-available-memory", "MB", false, "orleans_runtime_available_memory")]
    [InlineData("x.wait", "us", false, "x_wait")]
    // Suffixes already there are not repeated; odd characters collapse to one '_'.
    [InlineData("x.sent_bytes", "By", true, "x_sent_bytes_total")]
    [InlineData("x.sent_bytes_total", "By", true, "x_sent_bytes_total")]
    [InlineData("x.duration_seconds", "s", false, "x_duration_seconds")]
    [InlineData("a..b--c:d", null, false, "a_b_c_d")]
    public void MetricName_Instrument_IsPromtoolCleanName(string instrument, string? unit, bool isCounter, string expected)
    {
        Assert.Equal(expected, PrometheusNaming.MetricName(instrument, unit, isCounter));
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("1", "")]
    [InlineData("{request}", "")]
    [InlineData("s", "seconds")]
    [InlineData("By", "bytes")]
    [InlineData("By/s", "bytes_per_second")]
    [InlineData("ms", null)]
    [InlineData("ns", null)]
    [InlineData("min", null)]
    [InlineData("MBy", null)]
    [InlineData("By/min", null)]
    public void UnitSuffix_Unit_IsBaseUnitWordOrNullWhenNotBase(string? unit, string? expected)
    {
        Assert.Equal(expected, PrometheusNaming.UnitSuffix(unit));
    }
}
