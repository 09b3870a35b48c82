namespace Granary.Hosting.Http;

/// <summary>
/// Limits of a Granary HTTP port (Kestrel), the same keys for gateways (<c>Granary:Gateway:Limits</c>) and
/// silos (<c>Granary:Silo:Limits</c>). Defaults follow what nginx and HAProxy users expect: 32 KiB of
/// request headers (nginx <c>large_client_header_buffers 4 8k</c>), 100 header fields (HAProxy
/// <c>tune.http.maxhdr</c> 101), an 8 KiB request line (nginx), a 30 s header timeout. A request over a
/// header or request-line limit is answered by Kestrel before any Granary code runs: 431 (headers) or
/// 414 (request line) with an empty body and <c>Connection: close</c>; it is counted all the same.
/// </summary>
public sealed class HttpLimitsOptions
{
    /// <summary>Largest total size of a request's header fields, bytes, 1024–1048576; default 32768. Beyond: 431 from Kestrel.</summary>
    public int MaxRequestHeadersTotalSize { get; set; } = 32 * 1024;

    /// <summary>Most header fields in one request, 1–1000; default 100. Beyond: 431 from Kestrel.</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>Longest request line (method, URL with query string, version), bytes, 256–1048576; default 8192. Beyond: 414 from Kestrel.</summary>
    public int MaxRequestLineSize { get; set; } = 8 * 1024;

    /// <summary>
    /// Largest request body, bytes; 0 = no limit; default 30,000,000 (Kestrel's; nginx's <c>client_max_body_size</c>
    /// is 1 MiB). Beyond: 413 <c>{"code":413,...}</c>. On a gateway a YARP route's own <c>MaxRequestBodySize</c>
    /// overrides it for that route; on a silo the admin body cap <c>Granary:Silo:MaxBodyBytes</c> is used instead.
    /// </summary>
    public long MaxRequestBodySize { get; set; } = 30_000_000;

    /// <summary>
    /// Most open client connections on the HTTP port; 0 = no limit; default 10,000. A connection beyond it
    /// gets <c>503 {"code":503,"message":"Too many connections ..."}</c> and is closed.
    /// </summary>
    public int MaxConcurrentConnections { get; set; } = 10_000;

    /// <summary>How long a client may take to send a request's headers, ms, 1000–600000; default 30000 (slow clients are cut off).</summary>
    public int RequestHeadersTimeoutMs { get; set; } = 30_000;

    /// <summary>Checks the values; returns the problems, each naming the key under <paramref name="section"/> and its limits.</summary>
    public IEnumerable<string> Validate(string section)
    {
        if (MaxRequestHeadersTotalSize is < 1024 or > 1024 * 1024)
            yield return $"{section}:{nameof(MaxRequestHeadersTotalSize)} must be 1024–1048576, got {MaxRequestHeadersTotalSize}.";
        if (MaxRequestHeaderCount is < 1 or > 1000)
            yield return $"{section}:{nameof(MaxRequestHeaderCount)} must be 1–1000, got {MaxRequestHeaderCount}.";
        if (MaxRequestLineSize is < 256 or > 1024 * 1024)
            yield return $"{section}:{nameof(MaxRequestLineSize)} must be 256–1048576, got {MaxRequestLineSize}.";
        if (MaxRequestBodySize < 0)
            yield return $"{section}:{nameof(MaxRequestBodySize)} must be 0 (no limit) or positive, got {MaxRequestBodySize}.";
        if (MaxConcurrentConnections < 0)
            yield return $"{section}:{nameof(MaxConcurrentConnections)} must be 0 (no limit) or positive, got {MaxConcurrentConnections}.";
        if (RequestHeadersTimeoutMs is < 1000 or > 600_000)
            yield return $"{section}:{nameof(RequestHeadersTimeoutMs)} must be 1000–600000, got {RequestHeadersTimeoutMs}.";
    }
}
