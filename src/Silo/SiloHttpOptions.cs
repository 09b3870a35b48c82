namespace Granary.Silo;

/// <summary>Options of the silo's HTTP port (configuration section <c>Granary:Silo</c>, beside <see cref="GranarySiloOptions"/>).</summary>
internal sealed class SiloHttpOptions
{
    /// <summary>Admin keys shorter than this (characters) are accepted but logged as weak at start-up: 16.</summary>
    public const int RecommendedKeyLength = 16;

    /// <summary>HTTP port for <c>/healthz</c>, <c>/metrics</c>, the admin API, <c>/api</c> and the dashboards; default 9090 (local profile 9090, 9091, …). 0 picks a free port (tests).</summary>
    public int HttpPort { get; set; } = 9090;

    /// <summary>
    /// Bind address of the HTTP port (an IP address, <c>localhost</c> or <c>*</c>); default none =
    /// <c>Granary:Silo:Host</c>, the Orleans ports' address. Without an admin key the HTTP port binds
    /// loopback only (127.0.0.1, or ::1 for an IPv6 address) whatever this says.
    /// </summary>
    public string? HttpHost { get; set; }

    /// <summary>
    /// An admin key (also <c>Granary__Silo__AdminKey</c>). With at least one key configured (here or in
    /// <see cref="AdminKeys"/>) every request to the HTTP port needs one of them in <c>X-Admin-Key</c> or
    /// <c>Authorization: Bearer</c>, else 401 JSON, except <c>/healthz</c>, the dashboard's static files,
    /// <c>/metrics</c> while <see cref="PublicMetrics"/> and GETs while <see cref="PublicReads"/>. No key at
    /// all: nothing is checked and the HTTP port binds loopback only. Printable ASCII, no spaces.
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>More admin keys, any of which is accepted (key rotation: add the new key, move the callers, drop the old one); <c>Granary__Silo__AdminKeys__0</c>, <c>__1</c>, ….</summary>
    public List<string> AdminKeys { get; set; } = [];

    /// <summary>When true, GET requests (<c>GET /clients…</c>, <c>/api/**</c>) need no key; writes and Orleans's dashboard (<c>/orleans</c>) still do. Default false.</summary>
    public bool PublicReads { get; set; }

    /// <summary>
    /// When true (default), <c>GET /metrics</c> needs no key even when keys are configured, so a Prometheus
    /// scraper needs no secret (the figures name backends and clients, not keys); false puts it behind the key
    /// (scrape with <c>authorization: {credentials: …}</c>).
    /// </summary>
    public bool PublicMetrics { get; set; } = true;

    /// <summary>
    /// Most failed admin authentications logged per second (1–10000, default 10); beyond it attempts are
    /// only counted (<c>granary_silo_auth_failures_total</c> counts every one) and the next line logged says
    /// how many were left out, so a flood of bad keys cannot flood the log.
    /// </summary>
    public int AuthFailureLogsPerSecond { get; set; } = 10;

    /// <summary>Largest admin request body, bytes; default 64 KiB. A larger body gets 413.</summary>
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>The configured admin keys: <see cref="AdminKey"/> then <see cref="AdminKeys"/>, empty ones skipped, duplicates removed.</summary>
    public IReadOnlyList<string> ConfiguredKeys() =>
        new[] { AdminKey }.Concat(AdminKeys).Where(static k => !string.IsNullOrEmpty(k)).Select(static k => k!).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Checks the values; returns the problems, each naming the property and its limit (never a key's text).</summary>
    public IEnumerable<string> Validate()
    {
        if (HttpPort is < 0 or > 65535) yield return $"Granary:Silo:{nameof(HttpPort)} must be 0–65535, got {HttpPort}.";
        if (MaxBodyBytes < 1) yield return $"Granary:Silo:{nameof(MaxBodyBytes)} must be positive, got {MaxBodyBytes}.";
        if (AuthFailureLogsPerSecond is < 1 or > 10_000) yield return $"Granary:Silo:{nameof(AuthFailureLogsPerSecond)} must be 1–10000, got {AuthFailureLogsPerSecond}.";
        if (AdminKey is { Length: > 0 } key && !IsPrintable(key))
            yield return $"Granary:Silo:{nameof(AdminKey)} must be printable ASCII without spaces (it travels in an HTTP header).";
        for (var i = 0; i < AdminKeys.Count; i++)
        {
            if (AdminKeys[i] is { Length: > 0 } k && !IsPrintable(k))
                yield return $"Granary:Silo:{nameof(AdminKeys)}:{i} must be printable ASCII without spaces (it travels in an HTTP header).";
        }
    }

    private static bool IsPrintable(string key)
    {
        foreach (var c in key)
        {
            if (c is < '!' or > '~')
                return false;
        }
        return true;
    }
}
