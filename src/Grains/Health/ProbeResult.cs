namespace Granary.Grains.Health;

/// <summary>The outcome of one active health probe.</summary>
/// <param name="Success">True when the destination answered 2xx or 3xx in time.</param>
/// <param name="Detail">Short description: <c>"HTTP 200"</c>, <c>"HTTP 503"</c>, <c>"connection refused"</c>, <c>"timeout after 1000 ms"</c>, …</param>
public readonly record struct ProbeResult(bool Success, string Detail)
{
    /// <summary>A successful probe with the given detail.</summary>
    public static ProbeResult Healthy(string detail) => new(true, detail);

    /// <summary>A failed probe with the given reason.</summary>
    public static ProbeResult Unhealthy(string reason) => new(false, reason);
}
