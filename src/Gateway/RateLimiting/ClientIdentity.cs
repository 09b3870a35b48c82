using System.Net;
using Granary.Grains.Contracts;

namespace Granary.Gateway.RateLimiting;

/// <summary>
/// The client id used for rate limiting and consistent hashing: the <c>X-Client-ID</c> header
/// (trimmed; 1–128 characters of <c>[A-Za-z0-9._:@-]</c> by the shared <see cref="ClientIdRules"/>, the
/// length cap lowerable with <c>Granary:Gateway:Limits:MaxClientIdLength</c>), else the remote IP address without port.
/// </summary>
internal static class ClientIdentity
{
    /// <summary>The request header naming the client.</summary>
    public const string HeaderName = "X-Client-ID";

    /// <summary>Longest client id any process accepts, characters (<see cref="ClientIdRules.MaxLength"/>).</summary>
    public const int MaxLength = ClientIdRules.MaxLength;

    /// <summary>The 400 message for a malformed header: the rule broken, then the whole rule.</summary>
    public static string InvalidMessage(ClientIdProblem problem, int maxLength = MaxLength) =>
        $"Invalid X-Client-ID: it {ClientIdRules.Describe(problem, maxLength)}; expected 1-{maxLength} characters from {ClientIdRules.Charset}";

    /// <summary>
    /// Resolves the client id with the longest accepted length. False when <c>X-Client-ID</c> is present but malformed (the caller answers 400).
    /// </summary>
    public static bool TryResolve(HttpContext context, out string clientId) => TryResolve(context, MaxLength, out clientId, out _);

    /// <summary>
    /// Resolves the client id, accepting at most <paramref name="maxLength"/> characters. False with the
    /// <paramref name="problem"/> when <c>X-Client-ID</c> is present but malformed, empty (<c>X-Client-ID:</c> with no
    /// value, or only spaces: <see cref="ClientIdProblem.Empty"/>) or repeated. Only a missing header falls back to the remote address.
    /// </summary>
    public static bool TryResolve(HttpContext context, int maxLength, out string clientId, out ClientIdProblem problem)
    {
        var values = context.Request.Headers[HeaderName];
        if (values.Count == 0)
        {
            clientId = RemoteAddress(context);
            problem = ClientIdProblem.None;
            return true;
        }
        if (values.Count > 1)
        {
            clientId = "";
            problem = ClientIdProblem.Repeated;
            return false;
        }
        return TryValidate(values[0]!, maxLength, out clientId, out problem);
    }

    /// <summary>
    /// The client id for consistent hashing: as <see cref="TryResolve(HttpContext, out string)"/>, falling back to the remote
    /// address when the header is malformed (rate limiting, when on, has already answered 400).
    /// </summary>
    public static string ResolveForHashing(HttpContext context) =>
        TryResolve(context, out var id) ? id : RemoteAddress(context);

    /// <summary>Validates and trims a header value; the original string is returned when nothing was trimmed.</summary>
    public static bool TryValidate(string value, out string clientId) => TryValidate(value, MaxLength, out clientId, out _);

    /// <summary>Validates (at most <paramref name="maxLength"/> characters) and trims a header value; the original string is returned when nothing was trimmed.</summary>
    public static bool TryValidate(string value, int maxLength, out string clientId, out ClientIdProblem problem)
    {
        var span = value.AsSpan().Trim();
        problem = ClientIdRules.Check(span, maxLength);
        if (problem != ClientIdProblem.None)
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
