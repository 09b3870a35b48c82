using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Granary.Hosting.Http;

/// <summary>Applies <see cref="HttpLimitsOptions"/> to Kestrel.</summary>
public static class KestrelLimitsExtensions
{
    /// <summary>
    /// Sets Kestrel's server-wide request limits: header total size and count, request line, body size
    /// (0 = none) and the header timeout. Connections are capped per endpoint by a <see cref="ConnectionLimiter"/>
    /// instead (Kestrel's own cap would also count a silo's grain port).
    /// </summary>
    public static KestrelServerOptions ApplyHttpLimits(this KestrelServerOptions kestrel, HttpLimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(limits);
        kestrel.Limits.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalSize;
        kestrel.Limits.MaxRequestHeaderCount = limits.MaxRequestHeaderCount;
        kestrel.Limits.MaxRequestLineSize = limits.MaxRequestLineSize;
        kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodySize == 0 ? null : limits.MaxRequestBodySize;
        kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromMilliseconds(limits.RequestHeadersTimeoutMs);
        return kestrel;
    }
}
