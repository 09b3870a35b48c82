using System.Net.Sockets;
using Granary.Grains.Contracts;
using Yarp.ReverseProxy.Forwarder;

namespace Granary.Gateway.Balancing;

/// <summary>How a forwarded request ended, from YARP's <see cref="IForwarderErrorFeature"/> and the status code.</summary>
internal static class OutcomeClassifier
{
    /// <summary>
    /// No forwarder error: status &lt; 500 is <see cref="OutcomeKind.Success"/>, else <see cref="OutcomeKind.ServerError"/>.
    /// Errors: the client going away is <see cref="OutcomeKind.Canceled"/>; a connect-time failure
    /// <see cref="OutcomeKind.ConnectFailure"/>; a timeout <see cref="OutcomeKind.Timeout"/>; any other
    /// failure of the destination <see cref="OutcomeKind.ServerError"/>.
    /// </summary>
    public static OutcomeKind Classify(HttpContext context)
    {
        var error = context.Features.Get<IForwarderErrorFeature>();
        if (error is null || error.Error == ForwarderError.None)
            return context.Response.StatusCode < 500 ? OutcomeKind.Success : OutcomeKind.ServerError;
        return Classify(error.Error, error.Exception, context.RequestAborted.IsCancellationRequested);
    }

    /// <summary>Classifies a forwarder error.</summary>
    public static OutcomeKind Classify(ForwarderError error, Exception? exception, bool clientAborted)
    {
        if (clientAborted)
            return OutcomeKind.Canceled;
        return error switch
        {
            ForwarderError.None => OutcomeKind.Success,
            ForwarderError.Request => IsConnectFailure(exception) ? OutcomeKind.ConnectFailure : OutcomeKind.ServerError,
            ForwarderError.RequestTimedOut => IsConnectFailure(exception) ? OutcomeKind.ConnectFailure : OutcomeKind.Timeout,
            ForwarderError.UpgradeActivityTimeout => OutcomeKind.Timeout,
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
                or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient or ForwarderError.UpgradeRequestCanceled
                or ForwarderError.UpgradeRequestClient or ForwarderError.UpgradeResponseCanceled or ForwarderError.UpgradeResponseClient
                => OutcomeKind.Canceled,
            _ => OutcomeKind.ServerError,
        };
    }

    /// <summary>
    /// True when the exception shows the connection to the destination was never made: a refused,
    /// unreachable or unresolvable connect (<see cref="HttpRequestError.ConnectionError"/>,
    /// <see cref="HttpRequestError.NameResolutionError"/>, a <see cref="SocketException"/>), or the
    /// handler's connect timeout. Nothing was sent, so an idempotent request may go elsewhere.
    /// </summary>
    public static bool IsConnectFailure(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }:
                case SocketException:
                    return true;
                case TimeoutException when e.Message.Contains("connect", StringComparison.OrdinalIgnoreCase):
                    return true;
                case AggregateException aggregate:
                    foreach (var inner in aggregate.InnerExceptions)
                    {
                        if (IsConnectFailure(inner))
                            return true;
                    }
                    return false;
            }
        }
        return false;
    }

    /// <summary>True for methods that may be sent twice (RFC 9110 §9.2.2): GET, HEAD, OPTIONS, PUT, DELETE, TRACE.</summary>
    public static bool IsIdempotent(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
        || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method) || HttpMethods.IsTrace(method);
}
