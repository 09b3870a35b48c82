using Granary.Gateway.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using Yarp.ReverseProxy.Model;

namespace Granary.Gateway.Errors;

/// <summary>
/// The outermost middleware: an unhandled exception becomes a 500 JSON error, and an empty error
/// response produced by the gateway itself (404 for an unmatched route, 405, …) gets the JSON body.
/// Responses relayed from a destination are left as they are.
/// </summary>
internal sealed class JsonErrorMiddleware(RequestDelegate next, ILogger<JsonErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            if (context.RequestAborted.IsCancellationRequested && ex is OperationCanceledException)
                return;
            Log.UnhandledException(logger, ex, context.Request.Method, context.Request.Path.Value ?? "");
            context.Response.Clear();
            await JsonErrors.WriteAsync(context, StatusCodes.Status500InternalServerError, "Internal server error");
            return;
        }

        var response = context.Response;
        if (response.StatusCode >= 400 && !response.HasStarted && response.ContentType is null && response.ContentLength is null
            && context.Features.Get<IReverseProxyFeature>()?.ProxiedDestination is null)
        {
            var code = response.StatusCode;
            var message = code == StatusCodes.Status404NotFound ? "No route matches the request" : ReasonPhrases.GetReasonPhrase(code);
            await JsonErrors.WriteAsync(context, code, message.Length == 0 ? "Error" : message);
        }
    }
}
