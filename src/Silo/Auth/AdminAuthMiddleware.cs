namespace Granary.Silo.Auth;

/// <summary>
/// Puts the silo's HTTP port behind the admin key (<see cref="AdminAuthenticator"/>): placed after the
/// dashboard's static files and before routing, so a request without the key reaches no endpoint,
/// not even to learn whether its route exists.
/// </summary>
internal sealed class AdminAuthMiddleware(RequestDelegate next, AdminAuthenticator authenticator)
{
    public Task InvokeAsync(HttpContext context)
    {
        var outcome = authenticator.Check(context);
        return outcome is AdminKeyCheck.Missing or AdminKeyCheck.Wrong ? authenticator.RejectAsync(context, outcome) : next(context);
    }
}
