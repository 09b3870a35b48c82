namespace Granary.Hosting.Tests.Metrics;

/// <summary>The checker is not vacuous: the old exporter's names are what promtool reports.</summary>
public sealed class PromtoolTests
{
    [Theory]
    [InlineData("granary_gateway_request_duration_ms", "histogram", "metric names should not contain abbreviated units")]
    [InlineData("granary_gateway_request_duration_milliseconds", "histogram", "use base unit \"seconds\" instead of \"milliseconds\"")]
    [InlineData("granary_gateway_requests", "counter", "counter metrics should have \"_total\" suffix")]
    public async Task CheckMetricsAsync_NamePromtoolRefuses_ReportsIt(string name, string type, string finding)
    {
        var suffix = type == "histogram" ? "_count" : "";
        var scrape = $"# HELP {name} Help.\n# TYPE {name} {type}\n{name}{suffix} 1\n";

        var (exitCode, output) = await Promtool.CheckMetricsAsync(scrape);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(finding, output, StringComparison.Ordinal);
    }
}
