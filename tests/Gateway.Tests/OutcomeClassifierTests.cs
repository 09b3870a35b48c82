using System.Net.Sockets;
using Granary.Gateway.Balancing;
using Granary.Grains.Contracts;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Granary.Gateway.Tests;

public sealed class OutcomeClassifierTests
{
    private sealed class ErrorFeature(ForwarderError error, Exception? exception) : IForwarderErrorFeature
    {
        public ForwarderError Error { get; } = error;

        public Exception? Exception { get; } = exception;
    }

    private static readonly HttpRequestException Refused =
        new(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:5001)", new SocketException((int)SocketError.ConnectionRefused));

    [Theory]
    [InlineData(200, OutcomeKind.Success)]
    [InlineData(404, OutcomeKind.Success)]
    [InlineData(499, OutcomeKind.Success)]
    [InlineData(500, OutcomeKind.ServerError)]
    [InlineData(503, OutcomeKind.ServerError)]
    public void Classify_NoForwarderError_ByStatusCode(int status, OutcomeKind expected)
    {
        var context = new DefaultHttpContext();
        context.Response.StatusCode = status;
        Assert.Equal(expected, OutcomeClassifier.Classify(context));
    }

    [Fact]
    public void Classify_ConnectionRefused_IsConnectFailure() =>
        Assert.Equal(OutcomeKind.ConnectFailure, OutcomeClassifier.Classify(ForwarderError.Request, Refused, clientAborted: false));

    [Fact]
    public void Classify_RequestErrorNotAtConnect_IsServerError() =>
        Assert.Equal(OutcomeKind.ServerError, OutcomeClassifier.Classify(ForwarderError.Request,
            new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely."), clientAborted: false));

    [Fact]
    public void Classify_ActivityTimeout_IsTimeout() =>
        Assert.Equal(OutcomeKind.Timeout, OutcomeClassifier.Classify(ForwarderError.RequestTimedOut, new TaskCanceledException(), clientAborted: false));

    [Fact]
    public void Classify_ConnectTimeout_IsConnectFailure() =>
        Assert.Equal(OutcomeKind.ConnectFailure, OutcomeClassifier.Classify(ForwarderError.RequestTimedOut,
            new TaskCanceledException("canceled", new TimeoutException("A connection could not be established within the configured ConnectTimeout.")), clientAborted: false));

    [Theory]
    [InlineData(ForwarderError.RequestCanceled)]
    [InlineData(ForwarderError.ResponseBodyClient)]
    [InlineData(ForwarderError.RequestBodyClient)]
    public void Classify_ClientSideErrors_AreCanceled(ForwarderError error) =>
        Assert.Equal(OutcomeKind.Canceled, OutcomeClassifier.Classify(error, null, clientAborted: false));

    [Fact]
    public void Classify_ClientAborted_IsCanceledWhateverTheError() =>
        Assert.Equal(OutcomeKind.Canceled, OutcomeClassifier.Classify(ForwarderError.Request, Refused, clientAborted: true));

    [Theory]
    [InlineData(ForwarderError.ResponseBodyDestination)]
    [InlineData(ForwarderError.ResponseHeaders)]
    [InlineData(ForwarderError.RequestBodyDestination)]
    public void Classify_DestinationSideErrors_AreServerError(ForwarderError error) =>
        Assert.Equal(OutcomeKind.ServerError, OutcomeClassifier.Classify(error, new IOException("reset"), clientAborted: false));

    [Fact]
    public void Classify_ErrorFeatureOnContext_IsUsed()
    {
        var context = new DefaultHttpContext();
        context.Response.StatusCode = 502;
        context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(ForwarderError.Request, Refused));
        Assert.Equal(OutcomeKind.ConnectFailure, OutcomeClassifier.Classify(context));
    }

    [Theory]
    [InlineData("GET", true)]
    [InlineData("HEAD", true)]
    [InlineData("OPTIONS", true)]
    [InlineData("PUT", true)]
    [InlineData("DELETE", true)]
    [InlineData("TRACE", true)]
    [InlineData("POST", false)]
    [InlineData("PATCH", false)]
    public void IsIdempotent_PerRfc9110(string method, bool expected) => Assert.Equal(expected, OutcomeClassifier.IsIdempotent(method));
}
