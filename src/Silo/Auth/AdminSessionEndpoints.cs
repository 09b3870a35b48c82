namespace Granary.Silo.Auth;

/// <summary>
/// <c>POST /api/session</c> and <c>DELETE /api/session</c>: set and clear the admin session cookie
/// (<see cref="AdminSessionCookie"/>) that lets Orleans's dashboard at <c>/orleans</c> through. The POST
/// needs the admin key like every write (<c>X-Admin-Key</c> or <c>Authorization: Bearer</c>), so the
/// <c>/dashboard</c> key prompt uses it to check a key and set the cookie in one step; with no key
/// configured it sets nothing (everything is open). Both answer 204.
/// </summary>
internal static class AdminSessionEndpoints
{
    /// <summary>The route: <c>/api/session</c>.</summary>
    public const string Path = "/api/session";

    public static void MapAdminSession(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, (HttpContext context, AdminSessionCookie cookie) =>
        {
            if (AdminAuthenticator.AcceptedKey(context) is { } key)
                cookie.Append(context.Response, cookie.Issue(key));
            return Results.NoContent();
        });
        endpoints.MapDelete(Path, (HttpContext context) =>
        {
            AdminSessionCookie.Delete(context.Response);
            return Results.NoContent();
        });
    }
}
