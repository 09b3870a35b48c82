using Granary.Gateway.Diagnostics;
using Granary.Gateway.Errors;
using Granary.Hosting.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Granary.Gateway.Limits;

/// <summary>
/// First step of the proxy pipeline: a request whose <c>Content-Length</c> is above the body limit in force
/// (<c>Granary:Gateway:Limits:MaxRequestBodySize</c>, or the route's YARP <c>MaxRequestBodySize</c>) gets
/// 413 <c>{"code":413,"message":"Request body larger than N bytes"}</c> with <c>Connection: close</c> before any grain call or forwarding,
/// counted in <c>granary_gateway_limit_rejections_total{limit="request_body"}</c>. A chunked body that grows
/// past the limit is cut by Kestrel while YARP forwards it (see <see cref="Balancing.GrainBalancingMiddleware"/>).
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, GatewayMetrics metrics)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentLength is long length
            && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { MaxRequestBodySize: long max }
            && length > max)
        {
            metrics.LimitRejected(HttpLimitKinds.RequestBody);
            // Kestrel will not drain a body past its limit: say the connection ends, so no client reuses it.
            context.Response.Headers.Connection = "close";
            return JsonErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, TooLargeMessage(max));
        }
        return next(context);
    }

    /// <summary>
    /// True when YARP's forwarding failed because the client's (chunked) body went past the body limit:
    /// Kestrel's <see cref="BadHttpRequestException"/> with 413, as the error or its cause.
    /// </summary>
    public static bool IsBodyTooLarge(IForwarderErrorFeature error) =>
        error.Error == ForwarderError.RequestBodyClient
        && (error.Exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
            || error.Exception?.InnerException is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge });

    /// <summary>Answers a forwarded request whose body went past the limit: 413 JSON, counted. The response must not have started.</summary>
    public static Task WriteForwardedTooLargeAsync(HttpContext context, GatewayMetrics metrics)
    {
        metrics.LimitRejected(HttpLimitKinds.RequestBody);
        context.Response.Clear();
        context.Response.Headers.Connection = "close";
        var max = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        return JsonErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, max is long m ? TooLargeMessage(m) : "Request body too large");
    }

    /// <summary>The 413 message for a limit of <paramref name="max"/> bytes.</summary>
    public static string TooLargeMessage(long max) => $"Request body larger than {max} bytes";
}
