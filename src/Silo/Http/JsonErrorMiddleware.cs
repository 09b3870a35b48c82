using Granary.Hosting.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Granary.Silo.Http;

/// <summary>
/// Turns every error the silo's HTTP port produces into <c>{"code":N,"message":"..."}</c>: unhandled
/// exceptions (500, details logged, not sent), bad requests rejected by the server (their status),
/// and bodiless error statuses from routing (404 unknown route, 405 wrong method). A body cut by Kestrel's
/// body limit (413) is counted in <c>granary_silo_limit_rejections_total{limit="request_body"}</c>.
/// </summary>
internal sealed partial class JsonErrorMiddleware(RequestDelegate next, ILogger<JsonErrorMiddleware> logger, SiloMetrics? metrics = null)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            if (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                // Past Kestrel's body limit the rest is never drained: say the connection ends, so no client reuses it.
                metrics?.LimitRejected(HttpLimitKinds.RequestBody);
                context.Response.Headers.Connection = "close";
            }
            await ErrorBody.WriteAsync(context, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "Request body too large" : e.Message).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            LogUnhandled(logger, context.Request.Method, context.Request.Path, e);
            if (context.Response.HasStarted)
                throw;
            context.Response.Clear();
            await ErrorBody.WriteAsync(context, StatusCodes.Status500InternalServerError, "Internal server error").ConfigureAwait(false);
            return;
        }

        var response = context.Response;
        if (response.StatusCode >= 400 && !response.HasStarted && response.ContentLength is null && response.ContentType is null)
        {
            var message = response.StatusCode switch
            {
                StatusCodes.Status404NotFound => $"No route for {context.Request.Method} {context.Request.Path}",
                StatusCodes.Status405MethodNotAllowed => $"Method {context.Request.Method} is not allowed on {context.Request.Path}",
                var code => ReasonPhrases.GetReasonPhrase(code) is { Length: > 0 } phrase ? phrase : $"HTTP {code}",
            };
            await ErrorBody.WriteAsync(context, response.StatusCode, message).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unhandled exception serving {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
}
