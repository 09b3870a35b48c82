namespace Granary.Gateway.Configuration;

/// <summary>The gateway's own settings (configuration section <c>Granary:Gateway</c>).</summary>
internal sealed class GatewayOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Granary:Gateway";

    /// <summary>This gateway's id, reported to backend grains with its in-flight counts; default <c>{hostname}-{pid}-{random4}</c>.</summary>
    public string? Id { get; set; }

    /// <summary>Kestrel URLs (<c>;</c>-separated); when empty, <c>--urls</c>/<c>ASPNETCORE_URLS</c>, else <c>http://127.0.0.1:8080</c>.</summary>
    public string? Urls { get; set; }

    /// <summary>
    /// Optional JSON file whose <c>ReverseProxy</c> section replaces the host configuration's one
    /// entirely (see <see cref="Granary.Gateway.Configuration.ProxyConfigFile"/>); absolute or relative to the working directory; default none.
    /// </summary>
    public string? ProxyConfigFile { get; set; }

    /// <summary>How long shutdown waits for in-flight requests to drain, ms; 0–600,000; default 30000.</summary>
    public int ShutdownTimeoutMs { get; set; } = 30_000;

    /// <summary>After a failed grain call, grain calls are skipped (local decisions) for this long before one probe, ms; 10–600,000; default 1000.</summary>
    public int FallbackProbeMs { get; set; } = 1000;

    /// <summary>Period of the in-flight lease renewal to every backend grain, ms; 50–600,000; default 1000.</summary>
    public int RenewIntervalMs { get; set; } = 1000;

    /// <summary>Lease of this gateway's in-flight contribution, ms; at least 2 × <see cref="RenewIntervalMs"/>, at most 3,600,000; default 10000.</summary>
    public int InFlightLeaseMs { get; set; } = 10_000;

    /// <summary>
    /// Batched clusters (<c>Granary.Mode: Batched</c>): how often the in-flight counts and finished
    /// requests are sent to the backend grains, ms; 1–1000; default 20. The other gateways' share of
    /// a destination's in-flight count is then at most this plus one grain round trip old.
    /// </summary>
    public int BatchIntervalMs { get; set; } = 20;

    /// <summary>
    /// True to export ASP.NET Core's <c>http_server_request_duration_seconds</c> histograms (every
    /// request, tagged by route and status) on <c>/metrics</c>; default false, because measuring them
    /// costs the proxy path a few percent and <c>granary_gateway_request_duration_ms</c> already covers
    /// proxied requests by cluster, destination and outcome.
    /// </summary>
    public bool HttpServerMetrics { get; set; }

    /// <summary>Checks the values; returns the problems, each naming the key and its limits.</summary>
    public IEnumerable<string> Validate()
    {
        if (Id is { Length: > 200 })
            yield return $"{Section}:Id must be at most 200 characters.";
        if (ShutdownTimeoutMs is < 0 or > 600_000)
            yield return $"{Section}:ShutdownTimeoutMs must be 0–600000, got {ShutdownTimeoutMs}.";
        if (FallbackProbeMs is < 10 or > 600_000)
            yield return $"{Section}:FallbackProbeMs must be 10–600000, got {FallbackProbeMs}.";
        if (BatchIntervalMs is < 1 or > 1000)
            yield return $"{Section}:BatchIntervalMs must be 1–1000, got {BatchIntervalMs}.";
        if (RenewIntervalMs is < 50 or > 600_000)
            yield return $"{Section}:RenewIntervalMs must be 50–600000, got {RenewIntervalMs}.";
        if (InFlightLeaseMs < 2 * (long)RenewIntervalMs || InFlightLeaseMs > 3_600_000)
            yield return $"{Section}:InFlightLeaseMs must be at least 2 × RenewIntervalMs ({2 * (long)RenewIntervalMs}) and at most 3600000, got {InFlightLeaseMs}.";
    }
}
