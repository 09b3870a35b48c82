using Granary.Hosting.Metrics;

namespace Granary.Hosting.Tests.Metrics;

public sealed class GranaryMetricsOptionsTests
{
    [Fact]
    public void Defaults_AreValidAndPinned()
    {
        var options = new GranaryMetricsOptions();

        Assert.Empty(options.Validate());
        Assert.True(options.HttpServerMetrics);
        Assert.Equal(["Microsoft.AspNetCore.Server.Kestrel"], options.Meters);
        Assert.Equal([0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000], options.MillisecondHistogramBuckets);
    }

    [Theory]
    [InlineData(new double[] { }, "MillisecondHistogramBuckets must hold 1–100 bucket bounds, got 0.")]
    [InlineData(new double[] { 1, 1 }, "MillisecondHistogramBuckets must be strictly ascending: [1] = 1 follows 1.")]
    [InlineData(new double[] { 1, double.PositiveInfinity }, "MillisecondHistogramBuckets[1] must be finite, got Infinity.")]
    public void Validate_BadBuckets_NamesPropertyAndLimit(double[] buckets, string expected)
    {
        var options = new GranaryMetricsOptions { MillisecondHistogramBuckets = buckets };

        Assert.Equal([expected], options.Validate());
    }

    [Fact]
    public void Validate_BlankMeter_NamesIndex()
    {
        var options = new GranaryMetricsOptions();
        options.Meters.Add(" ");

        Assert.Equal(["Meters[1] must be a meter name (or a prefix ending in '*'), got ' '."], options.Validate());
    }
}
