namespace Granary.Silo.Http;

/// <summary>Every error the silo produces: <c>{"code":N,"message":"..."}</c> (DESIGN.md).</summary>
/// <param name="Code">The HTTP status code.</param>
/// <param name="Message">What went wrong, naming the field or id concerned.</param>
internal sealed record ErrorBody(int Code, string Message)
{
    /// <summary>An error result with its status code.</summary>
    public static IResult Result(int code, string message) => Results.Json(new ErrorBody(code, message), SiloJson.Options, statusCode: code);

    public static Task WriteAsync(HttpContext context, int code, string message)
    {
        context.Response.StatusCode = code;
        return context.Response.WriteAsJsonAsync(new ErrorBody(code, message), SiloJson.Options, context.RequestAborted);
    }
}
