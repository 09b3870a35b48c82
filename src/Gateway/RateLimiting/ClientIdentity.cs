using System.Buffers;
using System.Net;

namespace Granary.Gateway.RateLimiting;

/// <summary>
/// The client id used for rate limiting and consistent hashing: the <c>X-Client-ID</c> header
/// (trimmed; 1–128 characters of <c>[A-Za-z0-9._:@-]</c>), else the remote IP address without port.
/// </summary>
internal static class ClientIdentity
{
    /// <summary>The request header naming the client.</summary>
    public const string HeaderName = "X-Client-ID";

    /// <summary>Longest accepted client id, characters.</summary>
    public const int MaxLength = 128;

    /// <summary>The 400 message for a malformed header.</summary>
    public const string InvalidMessage = "Invalid X-Client-ID: expected 1-128 characters from [A-Za-z0-9._:@-]";

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:@-");

    /// <summary>
    /// Resolves the client id. False when <c>X-Client-ID</c> is present but malformed (the caller answers 400).
    /// </summary>
    public static bool TryResolve(HttpContext context, out string clientId)
    {
        var values = context.Request.Headers[HeaderName];
        if (values.Count == 0 || (values.Count == 1 && string.IsNullOrEmpty(values[0])))
        {
            clientId = RemoteAddress(context);
            return true;
        }
        if (values.Count == 1 && TryValidate(values[0]!, out clientId))
            return true;
        clientId = "";
        return false;
    }

    /// <summary>
    /// The client id for consistent hashing: as <see cref="TryResolve"/>, falling back to the remote
    /// address when the header is malformed (rate limiting, when on, has already answered 400).
    /// </summary>
    public static string ResolveForHashing(HttpContext context) =>
        TryResolve(context, out var id) ? id : RemoteAddress(context);

    /// <summary>Validates and trims a header value; the original string is returned when nothing was trimmed.</summary>
    public static bool TryValidate(string value, out string clientId)
    {
        var span = value.AsSpan().Trim();
        if (span.Length is 0 or > MaxLength || span.ContainsAnyExcept(Allowed))
        {
            clientId = "";
            return false;
        }
        clientId = span.Length == value.Length ? value : span.ToString();
        return true;
    }

    /// <summary>The remote IP without port (IPv4-mapped IPv6 addresses as IPv4); <c>"unknown"</c> when there is none.</summary>
    public static string RemoteAddress(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
            return "unknown";
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        return address.Equals(IPAddress.Loopback) ? "127.0.0.1" : address.ToString();
    }
}
