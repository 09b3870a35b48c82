namespace Granary.Runtime.Diagnostics;

/// <summary>
/// The aggregate of one instrument for one tag set. Every update is an interlocked operation, so
/// recording threads never take a lock; a scrape reads the fields without stopping them (a
/// histogram's count, sum and buckets may be a few measurements apart, as Prometheus clients allow).
/// </summary>
internal sealed class MetricSeries
{
    private readonly long[]? _buckets;
    private long _longValue;
    private double _doubleValue;
    private long _count;
    private double _sum;

    public MetricSeries(KeyValuePair<string, object?>[] sortedTags, int bucketCount)
    {
        Tags = sortedTags;
        if (bucketCount > 0)
            _buckets = new long[bucketCount];
    }

    /// <summary>The tags, sorted by key.</summary>
    public KeyValuePair<string, object?>[] Tags { get; }

    /// <summary>Orders series in a scrape: the tag values joined (stable output between scrapes).</summary>
    public string SortKey => field ??= string.Join('\u0001', Tags.Select(static t => t.Key + "=" + PrometheusText.LabelText(t.Value)));

    /// <summary>The scrape generation of the last observation (observable instruments only).</summary>
    public long ObservedGeneration { get; set; }

    public void Add(long value) => Interlocked.Add(ref _longValue, value);

    public void Add(double value) => AddDouble(ref _doubleValue, value);

    public void Set(long value)
    {
        Volatile.Write(ref _doubleValue, 0);
        Volatile.Write(ref _longValue, value);
    }

    public void Set(double value)
    {
        Volatile.Write(ref _longValue, 0);
        Volatile.Write(ref _doubleValue, value);
    }

    /// <summary>Records a histogram sample into bucket <paramref name="bucket"/> (the +Inf bucket is the last).</summary>
    public void Record(int bucket, double value)
    {
        Interlocked.Increment(ref _buckets![bucket]);
        AddDouble(ref _sum, value);
        Interlocked.Increment(ref _count);
    }

    /// <summary>The value: integer and fractional parts summed.</summary>
    public double Value => Volatile.Read(ref _longValue) + Volatile.Read(ref _doubleValue);

    public long LongValue => Volatile.Read(ref _longValue);

    public double DoubleValue => Volatile.Read(ref _doubleValue);

    public long Count => Volatile.Read(ref _count);

    public double Sum => Volatile.Read(ref _sum);

    /// <summary>Non-cumulative count of bucket <paramref name="index"/>.</summary>
    public long BucketCount(int index) => Volatile.Read(ref _buckets![index]);

    private static void AddDouble(ref double location, double value)
    {
        var current = Volatile.Read(ref location);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref location, current + value, current);
            if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(current))
                return;
            current = seen;
        }
    }
}
