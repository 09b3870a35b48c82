using Granary.Silo.Dashboard;
using Granary.Silo.Http;

namespace Granary.Silo.Auth;

/// <summary>
/// Decides which requests to the silo's HTTP port need an admin key and checks it. With no key
/// configured nothing is checked (the HTTP port then binds loopback only, see <see cref="SiloApp"/>).
/// With keys: every request needs one, except <c>GET /healthz</c>, <c>GET /dashboard/…</c> (the page's
/// static files; its data comes from <c>/api</c>), <c>GET /metrics</c> while
/// <see cref="SiloHttpOptions.PublicMetrics"/> (default) and every other GET while
/// <see cref="SiloHttpOptions.PublicReads"/>; Orleans's dashboard (<c>/orleans/…</c>, which shows grain
/// state) always needs one. The key is taken from <c>X-Admin-Key</c>, else from
/// <c>Authorization: Bearer …</c>, and compared in constant time (<see cref="AdminKeySet"/>); on
/// <c>/orleans</c>, whose page cannot send a header, the admin session cookie
/// (<see cref="AdminSessionCookie"/>, set by the <c>/dashboard</c> key prompt) or the password of
/// <c>Authorization: Basic</c> (any user name) also count. A missing or wrong key gets 401
/// <c>{"code":401,"message":"..."}</c> with <c>WWW-Authenticate: Bearer</c> (and <c>Basic</c> on
/// <c>/orleans</c>, so a browser asks for it), is counted in <c>granary.silo.auth.failures</c> by reason
/// (<c>missing</c>, <c>wrong</c>) and logged with method, path (no query) and remote IP, never the key; at
/// most <see cref="SiloHttpOptions.AuthFailureLogsPerSecond"/> log lines a second, the rest summed into the
/// next line (the counter counts every one).
/// </summary>
internal sealed partial class AdminAuthenticator
{
    /// <summary>The admin key header.</summary>
    public const string HeaderName = "X-Admin-Key";

    /// <summary>401 message when the request carries no key.</summary>
    public const string MissingMessage = "Missing admin key: send it in X-Admin-Key or Authorization: Bearer";

    /// <summary>401 message on <c>/orleans</c> when the request carries no key, cookie or Basic credentials.</summary>
    public const string OrleansMissingMessage = "Missing admin key: enter it on /dashboard (which sets a session cookie for /orleans) or as the password of the browser's prompt";

    /// <summary>401 message when the key is none of the configured ones.</summary>
    public const string WrongMessage = "Wrong admin key";

    /// <summary>Longest part of a request path written to the log, characters.</summary>
    public const int MaxLoggedPathLength = 200;

    /// <summary>The <c>WWW-Authenticate</c> challenge for Basic on <c>/orleans</c>.</summary>
    public const string BasicChallenge = "Basic realm=\"Granary admin key\", charset=\"UTF-8\"";

    private static readonly object PresentedKeyItem = new();

    private readonly AdminKeySet _keys;
    private readonly AdminSessionCookie _session;
    private readonly SiloHttpOptions _options;
    private readonly SiloMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<AdminAuthenticator> _logger;
    private readonly Lock _gate = new();
    private long _windowStart;
    private bool _windowOpen;
    private int _loggedInWindow;
    private int _suppressed;

    public AdminAuthenticator(SiloHttpOptions options, AdminSessionCookie session, SiloMetrics metrics, TimeProvider time, ILogger<AdminAuthenticator> logger)
    {
        _keys = new AdminKeySet(options.ConfiguredKeys());
        _session = session;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>True when at least one admin key is configured.</summary>
    public bool Enabled => !_keys.IsEmpty;

    /// <summary>Number of admin keys configured.</summary>
    public int KeyCount => _keys.Count;

    /// <summary>Whether <paramref name="request"/> needs an admin key (see the type's remarks).</summary>
    public bool RequiresKey(HttpRequest request)
    {
        if (_keys.IsEmpty)
            return false;
        var path = request.Path;
        if (IsOrleansDashboard(path) || !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
            return true;
        if (path.StartsWithSegments("/healthz") || path.StartsWithSegments(DashboardStaticFiles.RequestPath))
            return false;
        if (path.StartsWithSegments("/metrics"))
            return !_options.PublicMetrics;
        return !_options.PublicReads;
    }

    /// <summary>Checks the request's key; an accepted key is remembered for <see cref="AcceptedKey"/>.</summary>
    public AdminKeyCheck Check(HttpContext context)
    {
        if (!RequiresKey(context.Request))
            return AdminKeyCheck.NotRequired;
        var presented = PresentedKey(context.Request.Headers);
        if (presented is null && IsOrleansDashboard(context.Request.Path))
        {
            // Orleans's page cannot send a header: the session cookie, or a browser's Basic credentials.
            if (_session.IsValid(context.Request.Cookies[AdminSessionCookie.Name]))
                return AdminKeyCheck.Accepted;
            presented = BasicPassword(context.Request.Headers);
        }
        if (presented is null)
            return AdminKeyCheck.Missing;
        if (!_keys.Matches(presented))
            return AdminKeyCheck.Wrong;
        context.Items[PresentedKeyItem] = presented;
        return AdminKeyCheck.Accepted;
    }

    /// <summary>Answers 401 for a <see cref="AdminKeyCheck.Missing"/> or <see cref="AdminKeyCheck.Wrong"/> key; counts and logs the attempt.</summary>
    public Task RejectAsync(HttpContext context, AdminKeyCheck outcome)
    {
        var missing = outcome == AdminKeyCheck.Missing;
        var reason = missing ? "missing" : "wrong";
        _metrics.AuthFailure(reason);
        LogFailure(context, reason);
        context.Response.Headers.WWWAuthenticate = IsOrleansDashboard(context.Request.Path)
            ? new Microsoft.Extensions.Primitives.StringValues(["Bearer", BasicChallenge])
            : "Bearer";
        var message = !missing ? WrongMessage : IsOrleansDashboard(context.Request.Path) ? OrleansMissingMessage : MissingMessage;
        return ErrorBody.WriteAsync(context, StatusCodes.Status401Unauthorized, message);
    }

    /// <summary>The admin key <see cref="Check"/> accepted for <paramref name="context"/> from a header; null when none was (no key needed, or a cookie).</summary>
    public static string? AcceptedKey(HttpContext context) => context.Items[PresentedKeyItem] as string;

    /// <summary>True for Orleans's dashboard, <c>/orleans</c> and everything under it.</summary>
    public static bool IsOrleansDashboard(PathString path) => path.StartsWithSegments(SiloApp.OrleansDashboardPath, StringComparison.OrdinalIgnoreCase);

    /// <summary>The password of <c>Authorization: Basic</c> (the user name is ignored); null when absent, empty or malformed.</summary>
    public static string? BasicPassword(IHeaderDictionary headers)
    {
        var authorization = headers.Authorization.ToString();
        const string scheme = "Basic ";
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return null;
        try
        {
            var decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(authorization[scheme.Length..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon >= 0 && colon < decoded.Length - 1 ? decoded[(colon + 1)..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The key a request presents: <c>X-Admin-Key</c>, else the token of <c>Authorization: Bearer</c>; null when neither (or empty).</summary>
    public static string? PresentedKey(IHeaderDictionary headers)
    {
        var header = headers[HeaderName].ToString();
        if (header.Length > 0)
            return header;
        var authorization = headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && authorization[scheme.Length..].Trim() is { Length: > 0 } token)
            return token;
        return null;
    }

    private void LogFailure(HttpContext context, string reason)
    {
        int suppressed;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (!_windowOpen || _time.GetElapsedTime(_windowStart, now) >= TimeSpan.FromSeconds(1))
            {
                _windowOpen = true;
                _windowStart = now;
                _loggedInWindow = 0;
            }
            if (_loggedInWindow >= _options.AuthFailureLogsPerSecond)
            {
                _suppressed++;
                return;
            }
            _loggedInWindow++;
            suppressed = _suppressed;
            _suppressed = 0;
        }
        var ip = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var path = SafePath(context.Request.Path.Value);
        if (suppressed > 0)
            LogAuthFailedWithSuppressed(_logger, reason, context.Request.Method, path, ip, suppressed);
        else
            LogAuthFailed(_logger, reason, context.Request.Method, path, ip);
    }

    /// <summary>The path as logged: at most <see cref="MaxLoggedPathLength"/> characters, control characters replaced by '?'.</summary>
    internal static string SafePath(string? path)
    {
        if (string.IsNullOrEmpty(path))
            return "/";
        var text = path.Length > MaxLoggedPathLength ? path[..MaxLoggedPathLength] + "…" : path;
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
        });
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Admin authentication failed ({Reason} key): {Method} {Path} from {RemoteIp}")]
    private static partial void LogAuthFailed(ILogger logger, string reason, string method, string path, string remoteIp);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "Admin authentication failed ({Reason} key): {Method} {Path} from {RemoteIp}; {Suppressed} earlier failures not logged (Granary:Silo:AuthFailureLogsPerSecond)")]
    private static partial void LogAuthFailedWithSuppressed(ILogger logger, string reason, string method, string path, string remoteIp, int suppressed);
}
