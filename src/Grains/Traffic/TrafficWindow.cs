using Granary.Grains.Contracts;

namespace Granary.Grains.Traffic;

/// <summary>
/// A backend grain's recent traffic: per-second request counts and latency sums for the last
/// <see cref="HistorySeconds"/> full seconds (a ring keyed by Unix second), and per-second
/// log-spaced latency histograms for the last <see cref="PercentileSeconds"/> seconds, from which
/// the p99 is estimated. <see cref="Record"/> is O(1) and allocation-free (the arrays are allocated
/// once); the figures are computed when asked (<see cref="RequestsPerSec"/>, <see cref="P99LatencyMs"/>,
/// <see cref="History"/>). Memory is fixed: about 19 KB of histogram plus 4 KB of ring.
/// Histogram: bucket 0 holds latencies below 0.1 ms, bucket i ≥ 1 holds
/// [0.1 × 2^((i−1)/4), 0.1 × 2^(i/4)) ms (four buckets per doubling), the last one everything from
/// about 60 s up; a bucket reads as its geometric midpoint (relative error at most 2^(1/8) − 1 ≈ 9 %),
/// clamped to the smallest and largest latency seen in the window — the HdrHistogram idea with coarser buckets.
/// Not thread-safe: used only from grain turns.
/// </summary>
internal sealed class TrafficWindow
{
    /// <summary>Full seconds kept for <see cref="History"/>: 180.</summary>
    public const int HistorySeconds = BackendDetails.MaxHistory;

    /// <summary>Seconds (the current one included) the p99 covers: 60.</summary>
    public const int PercentileSeconds = 60;

    /// <summary>Full seconds <see cref="RequestsPerSec"/> averages over: 5.</summary>
    public const int RateSeconds = 5;

    /// <summary>Smallest latency with its own bucket, ms: 0.1.</summary>
    public const double MinLatencyMs = 0.1;

    /// <summary>Buckets per doubling of latency: 4.</summary>
    public const int BucketsPerOctave = 4;

    /// <summary>Histogram buckets: the underflow bucket, 0.1 ms up to 60 s at four per doubling, and the overflow.</summary>
    public const int BucketCount = 79;

    // The ring holds the current second and HistorySeconds full ones.
    private const int RingSize = HistorySeconds + 1;

    private readonly long[] _ringSecond = new long[RingSize];
    private readonly int[] _ringCount = new int[RingSize];
    private readonly double[] _ringLatencySum = new double[RingSize];
    private readonly long[] _histSecond = new long[PercentileSeconds];
    private readonly double[] _histMin = new double[PercentileSeconds];
    private readonly double[] _histMax = new double[PercentileSeconds];
    private readonly int[] _hist = new int[PercentileSeconds * BucketCount];
    private readonly long _startSecond;

    /// <summary>Starts an empty window; <paramref name="startUnixMs"/> (activation time) bounds how far back the history and rate look.</summary>
    public TrafficWindow(long startUnixMs)
    {
        _startSecond = SecondOf(startUnixMs);
        Array.Fill(_ringSecond, long.MinValue);
        Array.Fill(_histSecond, long.MinValue);
    }

    /// <summary>Records one request that ended at <paramref name="unixMs"/> with <paramref name="latencyMs"/> (NaN and negatives count as 0).</summary>
    public void Record(long unixMs, double latencyMs)
    {
        if (!(latencyMs > 0))
            latencyMs = 0;
        var second = SecondOf(unixMs);
        var slot = Slot(second, RingSize);
        if (_ringSecond[slot] != second)
        {
            // A slot holding a newer second means the clock stepped back: drop the sample.
            if (_ringSecond[slot] > second)
                return;
            _ringSecond[slot] = second;
            _ringCount[slot] = 0;
            _ringLatencySum[slot] = 0;
        }
        _ringCount[slot]++;
        _ringLatencySum[slot] += latencyMs;

        var h = Slot(second, PercentileSeconds);
        if (_histSecond[h] != second)
        {
            if (_histSecond[h] > second)
                return;
            _histSecond[h] = second;
            _histMin[h] = double.MaxValue;
            _histMax[h] = 0;
            Array.Clear(_hist, h * BucketCount, BucketCount);
        }
        _hist[h * BucketCount + BucketOf(latencyMs)]++;
        if (latencyMs < _histMin[h])
            _histMin[h] = latencyMs;
        if (latencyMs > _histMax[h])
            _histMax[h] = latencyMs;
    }

    /// <summary>Requests per second over the last <see cref="RateSeconds"/> full seconds (fewer right after the start), requests/s.</summary>
    public double RequestsPerSec(long nowUnixMs)
    {
        var now = SecondOf(nowUnixMs);
        var seconds = (int)Math.Clamp(now - _startSecond, 1, RateSeconds);
        long total = 0;
        for (var s = now - seconds; s < now; s++)
            total += CountAt(s);
        return total / (double)seconds;
    }

    /// <summary>Estimated 99th percentile of the latencies recorded in the last <see cref="PercentileSeconds"/> seconds, ms; 0 without samples.</summary>
    public double P99LatencyMs(long nowUnixMs)
    {
        var now = SecondOf(nowUnixMs);
        Span<long> counts = stackalloc long[BucketCount];
        long total = 0;
        double min = double.MaxValue, max = 0;
        for (var h = 0; h < PercentileSeconds; h++)
        {
            var second = _histSecond[h];
            if (second > now || second <= now - PercentileSeconds)
                continue;
            var row = _hist.AsSpan(h * BucketCount, BucketCount);
            for (var b = 0; b < BucketCount; b++)
            {
                counts[b] += row[b];
                total += row[b];
            }
            min = Math.Min(min, _histMin[h]);
            max = Math.Max(max, _histMax[h]);
        }
        if (total == 0)
            return 0;
        // Nearest rank: the smallest value with at least 99 % of the samples at or below it.
        var rank = (long)Math.Ceiling(total * 0.99);
        long seen = 0;
        for (var b = 0; b < BucketCount; b++)
        {
            seen += counts[b];
            if (seen >= rank)
                return Math.Clamp(Midpoint(b), min, max);
        }
        return max;
    }

    /// <summary>One sample per full second from the start (at most the last <see cref="HistorySeconds"/>) up to the second before <paramref name="nowUnixMs"/>, oldest first.</summary>
    public BackendSample[] History(long nowUnixMs)
    {
        var now = SecondOf(nowUnixMs);
        var from = Math.Max(_startSecond, now - HistorySeconds);
        if (from >= now)
            return [];
        var samples = new BackendSample[now - from];
        for (var i = 0; i < samples.Length; i++)
        {
            var second = from + i;
            var slot = Slot(second, RingSize);
            var count = _ringSecond[slot] == second ? _ringCount[slot] : 0;
            samples[i] = new BackendSample(second * 1000, count, count == 0 ? 0 : _ringLatencySum[slot] / count);
        }
        return samples;
    }

    /// <summary>The histogram bucket of a latency (see the class remarks).</summary>
    internal static int BucketOf(double latencyMs)
    {
        if (latencyMs < MinLatencyMs)
            return 0;
        var index = (int)(Math.Log2(latencyMs / MinLatencyMs) * BucketsPerOctave) + 1;
        return Math.Min(index, BucketCount - 1);
    }

    /// <summary>The value a bucket reads as: its geometric midpoint, ms (bucket 0 reads as <see cref="MinLatencyMs"/>).</summary>
    internal static double Midpoint(int bucket) =>
        bucket == 0 ? MinLatencyMs : MinLatencyMs * Math.Pow(2, (bucket - 0.5) / BucketsPerOctave);

    private int CountAt(long second)
    {
        var slot = Slot(second, RingSize);
        return _ringSecond[slot] == second ? _ringCount[slot] : 0;
    }

    private static long SecondOf(long unixMs) => unixMs >= 0 ? unixMs / 1000 : ((unixMs + 1) / 1000) - 1;

    private static int Slot(long second, int size) => (int)(((second % size) + size) % size);
}
