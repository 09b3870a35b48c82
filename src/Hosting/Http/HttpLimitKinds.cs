namespace Granary.Hosting.Http;

/// <summary>The <c>limit</c> tag values of the limit-rejection counters (<c>granary_gateway_limit_rejections_total</c>, <c>granary_silo_limit_rejections_total</c>).</summary>
public static class HttpLimitKinds
{
    /// <summary>Request headers over <see cref="HttpLimitsOptions.MaxRequestHeadersTotalSize"/> (431).</summary>
    public const string RequestHeadersTotalSize = "request_headers_total_size";

    /// <summary>More header fields than <see cref="HttpLimitsOptions.MaxRequestHeaderCount"/> (431).</summary>
    public const string RequestHeaderCount = "request_header_count";

    /// <summary>A request line over <see cref="HttpLimitsOptions.MaxRequestLineSize"/> (414), or one Kestrel could not parse (400).</summary>
    public const string RequestLine = "request_line";

    /// <summary>Headers not received within <see cref="HttpLimitsOptions.RequestHeadersTimeoutMs"/>.</summary>
    public const string RequestHeadersTimeout = "request_headers_timeout";

    /// <summary>A body over the body limit (413 JSON).</summary>
    public const string RequestBody = "request_body";

    /// <summary>A connection over <see cref="HttpLimitsOptions.MaxConcurrentConnections"/> (503 JSON, closed).</summary>
    public const string Connections = "connections";
}
