using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Granary.Runtime.Diagnostics;

/// <summary>
/// One exported instrument: its Prometheus name and type, and its series per tag set. A series is
/// found by probing a concurrent dictionary with the callback's tag span (no allocation once the
/// tag set is known); tag sets that differ only in order share one series.
/// </summary>
internal sealed class InstrumentState
{
    /// <summary>Series per instrument beyond which new tag sets go to one overflow series (cardinality guard).</summary>
    public const int MaxSeries = 2000;

    private static readonly KeyValuePair<string, object?>[] OverflowTags = [new("otel_metric_overflow", "true")];

    private readonly ConcurrentDictionary<KeyValuePair<string, object?>[], MetricSeries> _byGivenOrder = new(TagSetComparer.Instance);
    private readonly ConcurrentDictionary<KeyValuePair<string, object?>[], MetricSeries>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> _lookup;
    private readonly ConcurrentDictionary<KeyValuePair<string, object?>[], MetricSeries> _canonical = new(TagSetComparer.Instance);
    private readonly StrongBox<long> _generation;
    private readonly double[] _bounds;
    private MetricSeries? _untagged;

    public InstrumentState(Instrument instrument, InstrumentKind kind, bool isInteger, double[] bounds, StrongBox<long> generation)
    {
        Instrument = instrument;
        Kind = kind;
        IsInteger = isInteger;
        _bounds = kind == InstrumentKind.Histogram ? bounds : [];
        _generation = generation;
        Name = PrometheusText.MetricName(instrument.Name, instrument.Unit,
            kind is InstrumentKind.Counter or InstrumentKind.ObservableCounter);
        _lookup = _byGivenOrder.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
    }

    public Instrument Instrument { get; }

    public InstrumentKind Kind { get; }

    /// <summary>True for integer instruments: values render without a fraction.</summary>
    public bool IsInteger { get; }

    /// <summary>The exported metric name (sanitized, unit and <c>_total</c> suffixes).</summary>
    public string Name { get; }

    /// <summary>The Prometheus type: <c>counter</c>, <c>gauge</c> or <c>histogram</c>.</summary>
    public string PrometheusType => Kind switch
    {
        InstrumentKind.Counter or InstrumentKind.ObservableCounter => "counter",
        InstrumentKind.Histogram => "histogram",
        _ => "gauge",
    };

    /// <summary>Histogram upper bounds, ascending (the +Inf bucket is implicit).</summary>
    public ReadOnlySpan<double> Bounds => _bounds;

    public bool IsObservable => Kind is InstrumentKind.ObservableCounter or InstrumentKind.ObservableGauge;

    /// <summary>Every series, tags sorted by key.</summary>
    public ICollection<MetricSeries> Series => _canonical.Values;

    public void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = GetSeries(tags);
        switch (Kind)
        {
            case InstrumentKind.Counter:
            case InstrumentKind.UpDownCounter:
                series.Add(value);
                break;
            case InstrumentKind.Histogram:
                series.Record(BucketOf(value), value);
                break;
            default:
                series.Set(value);
                series.ObservedGeneration = _generation.Value;
                break;
        }
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (double.IsNaN(value))
            return;
        var series = GetSeries(tags);
        switch (Kind)
        {
            case InstrumentKind.Counter:
            case InstrumentKind.UpDownCounter:
                series.Add(value);
                break;
            case InstrumentKind.Histogram:
                series.Record(BucketOf(value), value);
                break;
            default:
                series.Set(value);
                series.ObservedGeneration = _generation.Value;
                break;
        }
    }

    private int BucketOf(double value)
    {
        var bounds = _bounds;
        for (var i = 0; i < bounds.Length; i++)
        {
            if (value <= bounds[i])
                return i;
        }
        return bounds.Length;
    }

    private MetricSeries GetSeries(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
            return _untagged ?? AddUntagged();
        return _lookup.TryGetValue(tags, out var series) ? series : AddSeries(tags);
    }

    private MetricSeries AddUntagged()
    {
        var series = _canonical.GetOrAdd([], static (key, buckets) => new MetricSeries(key, buckets), _bounds.Length + 1);
        _untagged = series;
        return series;
    }

    private MetricSeries AddSeries(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var given = tags.ToArray();
        var sorted = (KeyValuePair<string, object?>[])given.Clone();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        if (_canonical.Count >= MaxSeries && !_canonical.ContainsKey(sorted))
            sorted = OverflowTags;
        var series = _canonical.GetOrAdd(sorted, static (key, buckets) => new MetricSeries(key, buckets), _bounds.Length + 1);
        if (!ReferenceEquals(sorted, OverflowTags))
            _byGivenOrder.TryAdd(given, series);
        return series;
    }
}
