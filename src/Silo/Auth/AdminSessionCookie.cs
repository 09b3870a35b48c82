using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Granary.Silo.Auth;

/// <summary>
/// The admin session cookie, for pages that cannot send <c>X-Admin-Key</c> (Orleans's dashboard at
/// <c>/orleans</c>). <c>POST /api/session</c> with an admin key sets it; it is accepted on <c>/orleans</c>
/// only. Its value is <c>v1.{expires}.{mac}</c>: the expiry (Unix seconds, <see cref="Lifetime"/> after
/// issue) and the base64url HMAC-SHA256 of <c>granary-session-v1.{expires}</c> keyed by the SHA-256 of the
/// admin key (<see cref="AdminKeySet.Mac"/>). It does not reveal the key; any silo configured with the same
/// key accepts it (cookies are per host, not per port, so the silos of one host share it), and a key
/// removed from the configuration invalidates its cookies. Attributes: <c>HttpOnly</c>,
/// <c>SameSite=Strict</c>, <c>Path=/</c>, <c>Secure</c> when the request came over HTTPS, no expiry (a
/// browser-session cookie).
/// </summary>
/// <param name="options">The HTTP options holding the admin keys.</param>
/// <param name="time">The clock of expiries.</param>
internal sealed class AdminSessionCookie(SiloHttpOptions options, TimeProvider time)
{
    /// <summary>The cookie's name: <c>granary_admin</c>.</summary>
    public const string Name = "granary_admin";

    /// <summary>How long a cookie is accepted after it was issued: 12 h.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private const string Version = "v1";
    private const string Purpose = "granary-session-v1.";

    private readonly AdminKeySet _keys = new(options.ConfiguredKeys());

    /// <summary>A cookie value for <paramref name="key"/> (an accepted admin key), valid for <see cref="Lifetime"/>.</summary>
    public string Issue(string key)
    {
        var expires = (time.GetUtcNow() + Lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"{Version}.{expires}.{Base64Url.EncodeToString(AdminKeySet.Mac(key, Message(expires)))}";
    }

    /// <summary>Whether <paramref name="value"/> is a cookie issued for one of the configured keys and not expired.</summary>
    public bool IsValid(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 200)
            return false;
        var parts = value.Split('.');
        if (parts.Length != 3 || parts[0] != Version || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
            return false;
        if (expires <= time.GetUtcNow().ToUnixTimeSeconds())
            return false;
        if (parts[2].Length != 43 || !parts[2].All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            return false;
        Span<byte> mac = stackalloc byte[64];
        if (!Base64Url.TryDecodeFromChars(parts[2], mac, out var length) || length != 32)
            return false;
        return _keys.MacMatches(Message(parts[1]), mac[..length]);
    }

    /// <summary>Sets the cookie on <paramref name="response"/>.</summary>
    public void Append(HttpResponse response, string value)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Cookies.Append(Name, value, Options(response.HttpContext.Request.IsHttps));
    }

    /// <summary>Clears the cookie in the browser.</summary>
    public static void Delete(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Cookies.Delete(Name, Options(response.HttpContext.Request.IsHttps));
    }

    private static CookieOptions Options(bool secure) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        Secure = secure,
        IsEssential = true,
    };

    private static byte[] Message(string expires) => Encoding.ASCII.GetBytes(Purpose + expires);
}
