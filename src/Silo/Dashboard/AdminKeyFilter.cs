using System.Security.Cryptography;
using System.Text;
using Granary.Silo.Http;

namespace Granary.Silo.Dashboard;

/// <summary>
/// Guards the admin API's changes (POST/PUT/DELETE <c>/clients</c>) when <c>Granary:Silo:AdminKey</c>
/// is set: the request must carry it in <c>X-Admin-Key</c>, else 401
/// <c>{"code":401,"message":"Missing or wrong X-Admin-Key"}</c>. The comparison is constant-time
/// (SHA-256 of both, then <see cref="CryptographicOperations.FixedTimeEquals"/>, so neither content
/// nor length leaks through timing). Without a key configured every request passes.
/// </summary>
internal sealed class AdminKeyFilter(SiloHttpOptions options) : IEndpointFilter
{
    public const string HeaderName = "X-Admin-Key";

    public const string Message = "Missing or wrong X-Admin-Key";

    private readonly byte[]? _expected = string.IsNullOrEmpty(options.AdminKey) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.AdminKey));

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (_expected is null || IsAuthorized(context.HttpContext.Request.Headers[HeaderName]))
            return next(context);
        return ValueTask.FromResult<object?>(ErrorBody.Result(StatusCodes.Status401Unauthorized, Message));
    }

    private bool IsAuthorized(Microsoft.Extensions.Primitives.StringValues values)
    {
        if (values.Count != 1 || values[0] is not { Length: > 0 } given)
            return false;
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), _expected);
    }
}
