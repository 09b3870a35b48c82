using System.Text;
using Granary.Runtime.Diagnostics;

namespace Granary.Runtime.Tests.Diagnostics;

public sealed class PrometheusTextTests
{
    [Theory]
    [InlineData("granary.gateway.requests", "{request}", true, "granary_gateway_requests_total")]
    [InlineData("granary.call.duration", "ms", false, "granary_call_duration_ms")]
    [InlineData("http.server.request.duration", "s", false, "http_server_request_duration_seconds")]
    [InlineData("granary.bytes_sent", "By", true, "granary_bytes_sent_bytes_total")]
    [InlineData("granary.requests.total", null, true, "granary_requests_total")]
    [InlineData("granary.latency_ms", "ms", false, "granary_latency_ms")]
    [InlineData("granary.ratio", "1", false, "granary_ratio")]
    public void MetricName_InstrumentNameUnitAndKind_GivesPrometheusName(string instrument, string? unit, bool counter, string expected) =>
        Assert.Equal(expected, PrometheusText.MetricName(instrument, unit, counter));

    [Theory]
    [InlineData("a.b-c d", "a_b_c_d")]
    [InlineData("9lives", "_9lives")]
    [InlineData("ns:metric", "ns:metric")]
    [InlineData("", "_")]
    public void SanitizeMetricName_InvalidCharacters_BecomeUnderscores(string input, string expected) =>
        Assert.Equal(expected, PrometheusText.SanitizeMetricName(input));

    [Fact]
    public void SanitizeLabelName_Colon_BecomesUnderscore() =>
        Assert.Equal("a_b", PrometheusText.SanitizeLabelName("a:b"));

    [Fact]
    public void AppendLabelValue_SpecialCharacters_AreEscaped()
    {
        var sb = new StringBuilder();
        PrometheusText.AppendLabelValue(sb, "q\"b\\n\n");
        Assert.Equal("q\\\"b\\\\n\\n", sb.ToString());
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e21, "1E+21")]
    public void FormatDouble_SpecialAndOrdinaryValues_UseExpositionSpelling(double value, string expected) =>
        Assert.Equal(expected, PrometheusText.FormatDouble(value));
}
