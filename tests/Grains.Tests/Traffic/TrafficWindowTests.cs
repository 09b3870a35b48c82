using Granary.Grains.Contracts;
using Granary.Grains.Traffic;

namespace Granary.Grains.Tests.Traffic;

public sealed class TrafficWindowTests
{
    private const long Start = 1_767_225_600_000; // 2026-01-01T00:00:00Z, a whole second

    [Fact]
    public void BucketMidpoint_AcrossRange_WithinNinePercent()
    {
        for (var latency = 0.1; latency < 60_000; latency *= 1.013)
        {
            var estimate = TrafficWindow.Midpoint(TrafficWindow.BucketOf(latency));
            Assert.InRange(estimate / latency, 1 / 1.0906, 1.0906);
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0.05, 0)]
    [InlineData(0.1, 1)]
    [InlineData(0.2, 5)]
    [InlineData(3_600_000, TrafficWindow.BucketCount - 1)]
    public void BucketOf_Bounds_ExpectedBucket(double latencyMs, int bucket) =>
        Assert.Equal(bucket, TrafficWindow.BucketOf(latencyMs));

    [Fact]
    public void P99_UniformOneTo1000_WithinBucketError()
    {
        var window = new TrafficWindow(Start);
        for (var i = 1; i <= 1000; i++)
            window.Record(Start + (i % 1000), i);

        Assert.InRange(window.P99LatencyMs(Start + 999), 990 / 1.0906, 990 * 1.0906);
    }

    [Fact]
    public void P99_AllEqual_ClampedToTheValuesSeen()
    {
        var window = new TrafficWindow(Start);
        for (var i = 0; i < 50; i++)
            window.Record(Start, 20);

        Assert.Equal(20, window.P99LatencyMs(Start + 500));
    }

    [Fact]
    public void P99_SamplesOlderThan60s_Dropped()
    {
        var window = new TrafficWindow(Start);
        window.Record(Start, 5000);
        window.Record(Start + 30_000, 10);

        Assert.Equal(5000, window.P99LatencyMs(Start + 59_999));
        Assert.Equal(10, window.P99LatencyMs(Start + 60_000));
        Assert.Equal(0, window.P99LatencyMs(Start + 90_000));
    }

    [Fact]
    public void RequestsPerSec_Last5FullSeconds_CurrentSecondExcluded()
    {
        var window = new TrafficWindow(Start);
        for (var second = 0; second < 10; second++)
        {
            for (var i = 0; i < (second + 1) * 10; i++)
                window.Record(Start + (second * 1000) + i, 1);
        }

        // Now in second 10: seconds 5..9 had 60, 70, 80, 90, 100 → 80/s; second 10 has nothing yet.
        Assert.Equal(80, window.RequestsPerSec(Start + 10_500));
        // Two seconds after the start only two full seconds exist.
        Assert.Equal(15, window.RequestsPerSec(Start + 2_000));
    }

    [Fact]
    public void History_Gaps_ZeroSamplesAndMeanLatency()
    {
        var window = new TrafficWindow(Start);
        window.Record(Start + 100, 10);
        window.Record(Start + 900, 30);
        window.Record(Start + 2_100, 4);
        window.Record(Start + 2_200, double.NaN); // counts as 0 ms
        window.Record(Start + 2_300, -3);

        var history = window.History(Start + 3_000);

        Assert.Equal(new BackendSample[] { new(Start, 2, 20), new(Start + 1000, 0, 0), new(Start + 2000, 3, 4 / 3.0) }, history);
    }

    [Fact]
    public void History_AfterAnHour_Last180SecondsOnly()
    {
        var window = new TrafficWindow(Start);
        for (var second = 0; second < 3600; second++)
            window.Record(Start + (second * 1000L), second);

        var history = window.History(Start + 3_600_000);

        Assert.Equal(TrafficWindow.HistorySeconds, history.Length);
        Assert.Equal(Enumerable.Range(3420, 180).Select(s => Start + (s * 1000L)), history.Select(h => h.UnixMs));
        Assert.All(history, h => Assert.Equal(((h.UnixMs - Start) / 1000.0, 1.0), (h.LatencyMs, h.RequestsPerSec)));
    }

    [Fact]
    public void Record_ClockSteppedBack_OlderSampleDropped()
    {
        var window = new TrafficWindow(Start);
        window.Record(Start + 181_000, 1);
        window.Record(Start, 1); // the ring slot holds second 181 now

        Assert.Equal(1, window.History(Start + 182_000).Sum(h => h.RequestsPerSec));
    }

    [Fact]
    public void Record_Steady_AllocatesNothing()
    {
        var window = new TrafficWindow(Start);
        window.Record(Start, 1);
        var before = GC.GetAllocatedBytesForCurrentThread();

        for (var i = 0; i < 100_000; i++)
            window.Record(Start + (i / 10), i % 5000);

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
