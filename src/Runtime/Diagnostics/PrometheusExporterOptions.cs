namespace Granary.Runtime.Diagnostics;

/// <summary>
/// Options of the built-in Prometheus exporter (<see cref="PrometheusMetricsExtensions.AddPrometheusMetrics"/>).
/// </summary>
public sealed class PrometheusExporterOptions
{
    /// <summary>Default histogram bucket upper bounds, suited to latencies in ms: 0.5 … 10000.</summary>
    public static IReadOnlyList<double> DefaultMillisecondBuckets { get; } =
        [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    /// <summary>
    /// Meters exported: a meter is listened to when its name starts with one of these (ordinal).
    /// Default: <c>"Granary."</c>, <c>"Microsoft.AspNetCore.Hosting"</c>, <c>"System.Runtime"</c>.
    /// </summary>
    public IList<string> MeterPrefixes { get; } = ["Granary.", "Microsoft.AspNetCore.Hosting", "System.Runtime"];

    /// <summary>
    /// Histogram bucket upper bounds (ascending) used when an instrument gives no bucket advice of
    /// its own; default <see cref="DefaultMillisecondBuckets"/>. A <c>+Inf</c> bucket is always added.
    /// </summary>
    public IReadOnlyList<double> HistogramBuckets { get; set; } = DefaultMillisecondBuckets;

    /// <summary>True when a meter of this name is exported.</summary>
    public bool IsExported(string meterName)
    {
        ArgumentNullException.ThrowIfNull(meterName);
        foreach (var prefix in MeterPrefixes)
        {
            if (meterName.StartsWith(prefix, StringComparison.Ordinal))
                return true;
        }
        return false;
    }
}
