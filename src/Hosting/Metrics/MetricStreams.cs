using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace Granary.Hosting.Metrics;

/// <summary>
/// The one OpenTelemetry view of a Granary host: for every instrument of an exported meter it gives the
/// Prometheus name and HELP (<see cref="PrometheusNaming"/>), the ms buckets of Granary's ms histograms, and
/// drops instruments of meters created by another host's <see cref="IMeterFactory"/> in the same process.
/// One view only, because OpenTelemetry makes one metric stream per matching view.
/// </summary>
internal sealed class MetricStreams
{
    private const string GranaryMeterPrefix = "Granary.";

    /// <summary>
    /// Orleans 10.4.2's message-size histograms (<c>orleans-messaging-sent-messages-size</c>,
    /// <c>orleans-messaging-received-messages-size</c>) tag <c>ConnectionDirection</c> and <c>MessageDirection</c>,
    /// camelCase label names that promtool refuses. A view cannot rename a tag, so these two keep only their
    /// <c>silo</c> tag: sizes are summed over directions.
    /// </summary>
    private static readonly HashSet<string> OrleansMessageSizeHistograms = new(StringComparer.Ordinal)
    {
        "orleans-messaging-sent-messages-size",
        "orleans-messaging-received-messages-size",
    };

    private readonly IMeterFactory _hostMeters;
    private readonly double[] _millisecondBuckets;

    /// <param name="hostMeters">This host's meter factory: meters scoped to another factory are not exported.</param>
    /// <param name="millisecondBuckets">Bucket bounds for Granary's ms histograms without bucket advice (already validated).</param>
    public MetricStreams(IMeterFactory hostMeters, double[] millisecondBuckets)
    {
        _hostMeters = hostMeters;
        _millisecondBuckets = millisecondBuckets;
    }

    /// <summary>The stream configuration of <paramref name="instrument"/> (OpenTelemetry calls it once per instrument and provider).</summary>
    public MetricStreamConfiguration? Configure(Instrument instrument)
    {
        if (instrument.Meter.Scope is { } scope && !ReferenceEquals(scope, _hostMeters))
            return MetricStreamConfiguration.Drop;

        var name = PrometheusNaming.MetricName(instrument);
        var help = PrometheusNaming.Help(instrument);
        if (IsGranaryMillisecondHistogram(instrument))
            return new ExplicitBucketHistogramConfiguration { Name = name, Description = help, Boundaries = _millisecondBuckets };
        if (instrument.Meter.Name == GranaryMeterNames.Orleans && OrleansMessageSizeHistograms.Contains(instrument.Name))
            return new MetricStreamConfiguration { Name = name, Description = help, TagKeys = ["silo"] };
        return new MetricStreamConfiguration { Name = name, Description = help };
    }

    private static bool IsGranaryMillisecondHistogram(Instrument instrument)
    {
        if (!instrument.Meter.Name.StartsWith(GranaryMeterPrefix, StringComparison.Ordinal) || instrument.Unit != "ms")
            return false;
        return instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries is null,
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries is null,
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries is null,
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries is null,
            Histogram<short> h => h.Advice?.HistogramBucketBoundaries is null,
            Histogram<byte> h => h.Advice?.HistogramBucketBoundaries is null,
            _ => false,
        };
    }
}
