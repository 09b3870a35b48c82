using System.Diagnostics;
using System.Numerics;

namespace Granary.Bench.GrainCalls;

/// <summary>
/// Log-linear latency histogram in the manner of HdrHistogram: exact below 64 ns, then 64 buckets per
/// power of two (relative error ≤ 1/64 ≈ 1.6%) up to ~2^40 ns. One per thread (no sharing, no locks);
/// merged at the end. Recording allocates nothing.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBuckets = 64;
    private const int SubBits = 6;
    private const int MaxShift = 34;

    private readonly long[] _counts = new long[SubBuckets + (MaxShift + 1) * SubBuckets];

    public long Count { get; private set; }

    /// <summary>Records one latency given as a <see cref="Stopwatch.GetTimestamp"/> difference.</summary>
    public void RecordTicks(long ticks)
    {
        var nanos = (long)(ticks * (1_000_000_000.0 / Stopwatch.Frequency));
        _counts[Index(Math.Max(0, nanos))]++;
        Count++;
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
            _counts[i] += other._counts[i];
        Count += other.Count;
    }

    /// <summary>The latency at quantile <paramref name="q"/> (0–1), µs (bucket midpoint); 0 when empty.</summary>
    public double PercentileMicros(double q)
    {
        if (Count == 0)
            return 0;
        var rank = (long)Math.Ceiling(q * Count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
                return ValueOf(i) / 1000.0;
        }
        return ValueOf(_counts.Length - 1) / 1000.0;
    }

    private static int Index(long nanos)
    {
        if (nanos < SubBuckets)
            return (int)nanos;
        var msb = 63 - BitOperations.LeadingZeroCount((ulong)nanos);
        var shift = Math.Min(msb - SubBits, MaxShift);
        var top = Math.Min(nanos >> shift, 2 * SubBuckets - 1);
        return SubBuckets + shift * SubBuckets + (int)(top - SubBuckets);
    }

    private static double ValueOf(int index)
    {
        if (index < SubBuckets)
            return index;
        var shift = (index - SubBuckets) / SubBuckets;
        var top = (index - SubBuckets) % SubBuckets + SubBuckets;
        return (top << shift) + ((1L << shift) / 2.0);
    }
}
