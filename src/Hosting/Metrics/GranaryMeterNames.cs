namespace Granary.Hosting.Metrics;

/// <summary>
/// Names of the meters <see cref="GranaryMetricsExtensions.AddGranaryMetrics"/> knows, as given to
/// <c>new Meter(name)</c> or <c>IMeterFactory.Create(name)</c>.
/// </summary>
public static class GranaryMeterNames
{
    /// <summary>Every Granary meter (<c>Granary.Gateway</c>, <c>Granary.Silo</c>, …): always exported.</summary>
    public const string Granary = "Granary.*";

    /// <summary>Orleans's runtime meter (<c>orleans_*</c> metrics): always exported.</summary>
    public const string Orleans = "Microsoft.Orleans";

    /// <summary>ASP.NET Core's per-request meter: exported when <see cref="GranaryMetricsOptions.HttpServerMetrics"/> is true.</summary>
    public const string HttpServer = "Microsoft.AspNetCore.Hosting";

    /// <summary>Kestrel's connection meter: in <see cref="GranaryMetricsOptions.Meters"/> by default.</summary>
    public const string Kestrel = "Microsoft.AspNetCore.Server.Kestrel";

    /// <summary>
    /// .NET's runtime meter (GC, CPU, memory, thread pool; <c>dotnet_*</c>): not exported unless added to
    /// <see cref="GranaryMetricsOptions.Meters"/> (four of its gauges end in <c>_count</c>, which promtool reports).
    /// </summary>
    public const string Runtime = "System.Runtime";
}
