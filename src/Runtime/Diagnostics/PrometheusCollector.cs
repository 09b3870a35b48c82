using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text;

namespace Granary.Runtime.Diagnostics;

/// <summary>
/// Listens to the exported meters (<see cref="PrometheusExporterOptions.MeterPrefixes"/>) and
/// renders their aggregates in the Prometheus text format 0.0.4. Recording is lock-free
/// (interlocked updates per series); a scrape reads observable instruments first, under a lock
/// that only scrapes take.
/// </summary>
internal sealed class PrometheusCollector : IDisposable
{
    private readonly PrometheusExporterOptions _options;
    private readonly IMeterFactory? _scope;
    private readonly double[] _defaultBounds;
    private readonly ConcurrentDictionary<Instrument, InstrumentState> _instruments = new();
    private readonly StrongBox<long> _generation = new(0);
    private readonly Lock _scrapeGate = new();
    private readonly MeterListener _listener;

    /// <param name="options">Which meters, which buckets.</param>
    /// <param name="scope">
    /// The host's meter factory: meters created by another factory (another host in the same
    /// process) are ignored; meters without a scope (<c>new Meter(...)</c>) are always taken.
    /// </param>
    public PrometheusCollector(PrometheusExporterOptions options, IMeterFactory? scope = null)
    {
        _options = options;
        _scope = scope;
        _defaultBounds = CheckBounds(options.HistogramBuckets);
        _listener = new MeterListener
        {
            InstrumentPublished = OnInstrumentPublished,
            MeasurementsCompleted = (instrument, state) => _instruments.TryRemove(instrument, out var _),
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((InstrumentState)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments and renders every exported series.</summary>
    public string Scrape()
    {
        lock (_scrapeGate)
        {
            _generation.Value++;
            try
            {
                _listener.RecordObservableInstruments();
            }
            catch (Exception)
            {
                // A throwing observable callback must not take the whole scrape down; its series is simply absent.
            }
            return Render(_generation.Value);
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!_options.IsExported(instrument.Meter.Name))
            return;
        if (instrument.Meter.Scope is not null && _scope is not null && !ReferenceEquals(instrument.Meter.Scope, _scope))
            return;
        if (Classify(instrument) is not (InstrumentKind kind, bool isInteger))
            return;
        var state = new InstrumentState(instrument, kind, isInteger, AdvisedBounds(instrument) ?? _defaultBounds, _generation);
        _instruments[instrument] = state;
        listener.EnableMeasurementEvents(instrument, state);
    }

    private static (InstrumentKind, bool)? Classify(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
            return null;
        var definition = type.GetGenericTypeDefinition();
        var argument = type.GetGenericArguments()[0];
        var isInteger = argument == typeof(long) || argument == typeof(int) || argument == typeof(short) || argument == typeof(byte);
        InstrumentKind? kind =
            definition == typeof(Counter<>) ? InstrumentKind.Counter
            : definition == typeof(UpDownCounter<>) ? InstrumentKind.UpDownCounter
            : definition == typeof(Gauge<>) ? InstrumentKind.Gauge
            : definition == typeof(Histogram<>) ? InstrumentKind.Histogram
            : definition == typeof(ObservableCounter<>) ? InstrumentKind.ObservableCounter
            : definition == typeof(ObservableUpDownCounter<>) || definition == typeof(ObservableGauge<>) ? InstrumentKind.ObservableGauge
            : null;
        return kind is { } k ? (k, isInteger) : null;
    }

    private static double[]? AdvisedBounds(Instrument instrument)
    {
        IEnumerable<double>? advised = instrument switch
        {
            Instrument<double> d => d.Advice?.HistogramBucketBoundaries,
            Instrument<float> f => f.Advice?.HistogramBucketBoundaries?.Select(static x => (double)x),
            Instrument<long> l => l.Advice?.HistogramBucketBoundaries?.Select(static x => (double)x),
            Instrument<int> i => i.Advice?.HistogramBucketBoundaries?.Select(static x => (double)x),
            _ => null,
        };
        return advised is null ? null : CheckBounds(advised.ToArray());
    }

    private static double[] CheckBounds(IReadOnlyList<double> bounds)
    {
        var copy = bounds.ToArray();
        for (var i = 0; i < copy.Length; i++)
        {
            if (double.IsNaN(copy[i]) || double.IsInfinity(copy[i]) || (i > 0 && copy[i] <= copy[i - 1]))
                throw new ArgumentException($"Histogram buckets must be finite and strictly ascending; bucket {i} is {copy[i]}.", nameof(bounds));
        }
        return copy;
    }

    private string Render(long generation)
    {
        var groups = new SortedDictionary<string, List<InstrumentState>>(StringComparer.Ordinal);
        foreach (var state in _instruments.Values)
        {
            if (!groups.TryGetValue(state.Name, out var list))
                groups[state.Name] = list = [];
            list.Add(state);
        }

        var sb = new StringBuilder(4096);
        foreach (var (name, states) in groups)
        {
            var description = states.Select(static s => s.Instrument.Description).FirstOrDefault(static d => !string.IsNullOrEmpty(d));
            sb.Append("# HELP ").Append(name).Append(' ');
            PrometheusText.AppendHelp(sb, description ?? states[0].Instrument.Name);
            sb.Append('\n');
            sb.Append("# TYPE ").Append(name).Append(' ').Append(states[0].PrometheusType).Append('\n');
            foreach (var state in states)
            {
                foreach (var series in state.Series.OrderBy(static s => s.SortKey, StringComparer.Ordinal))
                {
                    if (state.IsObservable && series.ObservedGeneration != generation)
                        continue;
                    if (state.Kind == InstrumentKind.Histogram)
                        AppendHistogram(sb, name, state, series);
                    else
                        AppendSample(sb, name, "", series.Tags, null, state.IsInteger ? series.LongValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : PrometheusText.FormatDouble(series.Value));
                }
            }
        }
        return sb.ToString();
    }

    private static void AppendHistogram(StringBuilder sb, string name, InstrumentState state, MetricSeries series)
    {
        var bounds = state.Bounds;
        long cumulative = 0;
        for (var i = 0; i <= bounds.Length; i++)
        {
            cumulative += series.BucketCount(i);
            var le = i < bounds.Length ? PrometheusText.FormatDouble(bounds[i]) : "+Inf";
            AppendSample(sb, name, "_bucket", series.Tags, le, cumulative.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        AppendSample(sb, name, "_sum", series.Tags, null, PrometheusText.FormatDouble(series.Sum));
        AppendSample(sb, name, "_count", series.Tags, null, cumulative.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void AppendSample(StringBuilder sb, string name, string suffix, KeyValuePair<string, object?>[] tags, string? le, string value)
    {
        sb.Append(name).Append(suffix);
        if (tags.Length > 0 || le is not null)
        {
            sb.Append('{');
            var first = true;
            foreach (var tag in tags)
            {
                if (!first)
                    sb.Append(',');
                first = false;
                sb.Append(PrometheusText.SanitizeLabelName(tag.Key)).Append("=\"");
                PrometheusText.AppendLabelValue(sb, PrometheusText.LabelText(tag.Value));
                sb.Append('"');
            }
            if (le is not null)
            {
                if (!first)
                    sb.Append(',');
                sb.Append("le=\"").Append(le).Append('"');
            }
            sb.Append('}');
        }
        sb.Append(' ').Append(value).Append('\n');
    }
}
