namespace Granary.Hosting.Metrics;

/// <summary>
/// Marks services on which <see cref="GranaryMetricsExtensions.AddGranaryMetrics"/> ran (so the endpoint can
/// check it, and a second call is refused); holds the exported meter names.
/// </summary>
/// <param name="Meters">The meter names given to OpenTelemetry, wildcards included.</param>
internal sealed record GranaryMetricsRegistration(IReadOnlyList<string> Meters);
