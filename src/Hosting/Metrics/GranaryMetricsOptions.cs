using System.Globalization;

namespace Granary.Hosting.Metrics;

/// <summary>
/// What a Granary process exports on <c>/metrics</c> besides the meters it always exports
/// (<c>Granary.*</c> and Orleans's <c>Microsoft.Orleans</c>), and the buckets of Granary's
/// millisecond histograms. Given to <see cref="GranaryMetricsExtensions.AddGranaryMetrics"/>; checked
/// there, at startup (<see cref="Validate"/>).
/// </summary>
public sealed class GranaryMetricsOptions
{
    /// <summary>
    /// The default bucket upper bounds of Granary's ms histograms, the old exporter's:
    /// 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000 ms (a <c>+Inf</c> bucket is always added).
    /// </summary>
    public static IReadOnlyList<double> DefaultMillisecondBuckets { get; } =
        [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    /// <summary>
    /// Further meters to export, by exact name or with a trailing <c>*</c> wildcard (<c>"MyCompany.*"</c>).
    /// Default: <c>Microsoft.AspNetCore.Server.Kestrel</c> (connections: <c>kestrel_active_connections</c>,
    /// <c>kestrel_connection_duration_seconds</c>, …); remove it to export less. An empty or blank name fails
    /// <see cref="Validate"/>. A meter added here is named by the same rules but is not promised to pass
    /// promtool: .NET's <c>System.Runtime</c> (<see cref="GranaryMeterNames.Runtime"/>) has four gauges named
    /// <c>…_count</c> (<c>dotnet_timer_count</c>, …) that promtool reports ("non-histogram … should not have
    /// _count suffix"), which is why it is not exported by default.
    /// </summary>
    public IList<string> Meters { get; } = [GranaryMeterNames.Kestrel];

    /// <summary>
    /// Whether ASP.NET Core's per-request meter <c>Microsoft.AspNetCore.Hosting</c> is exported
    /// (<c>http_server_request_duration_seconds</c>, <c>http_server_active_requests</c>); default true.
    /// Each request then records a histogram sample with route and status tags: a gateway may turn it
    /// off (<c>Granary:Gateway:HttpServerMetrics</c>), its own <c>granary_gateway_request_duration</c>
    /// covers proxied requests.
    /// </summary>
    public bool HttpServerMetrics { get; set; } = true;

    /// <summary>
    /// Bucket upper bounds, ms, for the histograms of Granary's meters (<c>Granary.*</c>) whose unit is
    /// <c>ms</c> and that give no bucket advice of their own (<c>InstrumentAdvice</c>). Finite, strictly
    /// ascending, 1–100 values; default <see cref="DefaultMillisecondBuckets"/>. A <c>+Inf</c> bucket is
    /// always added. Other histograms keep their advice or OpenTelemetry's default buckets
    /// (0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000; ASP.NET Core's second
    /// histograms advise 0.005 … 10 s).
    /// </summary>
    public IReadOnlyList<double> MillisecondHistogramBuckets { get; set; } = DefaultMillisecondBuckets;

    /// <summary>Checks the values; returns the problems, each naming the property and its limits (none: valid).</summary>
    public IEnumerable<string> Validate()
    {
        for (var i = 0; i < Meters.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(Meters[i]))
                yield return $"{nameof(Meters)}[{i}] must be a meter name (or a prefix ending in '*'), got '{Meters[i]}'.";
        }
        var buckets = MillisecondHistogramBuckets;
        if (buckets is null || buckets.Count is < 1 or > 100)
        {
            yield return $"{nameof(MillisecondHistogramBuckets)} must hold 1–100 bucket bounds, got {buckets?.Count.ToString(CultureInfo.InvariantCulture) ?? "null"}.";
            yield break;
        }
        for (var i = 0; i < buckets.Count; i++)
        {
            if (!double.IsFinite(buckets[i]))
                yield return string.Create(CultureInfo.InvariantCulture, $"{nameof(MillisecondHistogramBuckets)}[{i}] must be finite, got {buckets[i]}.");
            else if (i > 0 && buckets[i] <= buckets[i - 1])
                yield return string.Create(CultureInfo.InvariantCulture, $"{nameof(MillisecondHistogramBuckets)} must be strictly ascending: [{i}] = {buckets[i]} follows {buckets[i - 1]}.");
        }
    }
}
