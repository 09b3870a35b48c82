namespace Granary.Silo;

/// <summary>Options of the silo's HTTP port (configuration section <c>Granary:Silo</c>, beside <c>SiloOptions</c>).</summary>
internal sealed class SiloHttpOptions
{
    /// <summary>HTTP port for <c>/healthz</c>, <c>/metrics</c>, the admin API and <c>/api</c>; default 9090 (local profile 9090, 9091, …). 0 picks a free port (tests).</summary>
    public int HttpPort { get; set; } = 9090;

    /// <summary>
    /// When set (non-empty), the admin API's changes (POST/PUT/DELETE <c>/clients</c>) require it in an
    /// <c>X-Admin-Key</c> header, else 401 JSON; reads (GET) stay open. Unset: no key needed.
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>Largest admin request body, bytes; default 64 KiB. A larger body gets 413.</summary>
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Checks the values; returns the problems, each naming the property and its limit.</summary>
    public IEnumerable<string> Validate()
    {
        if (HttpPort is < 0 or > 65535) yield return $"Granary:Silo:{nameof(HttpPort)} must be 0–65535, got {HttpPort}.";
        if (MaxBodyBytes < 1) yield return $"Granary:Silo:{nameof(MaxBodyBytes)} must be positive, got {MaxBodyBytes}.";
    }
}
