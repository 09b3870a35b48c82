using System.Net;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Transport;

/// <summary>Log messages of the grain transport (event ids 1100–1199).</summary>
internal static partial class TransportLog
{
    [LoggerMessage(1100, LogLevel.Warning, "Closing grain connection from {RemoteEndPoint}: {Reason}")]
    public static partial void BadFrames(ILogger logger, EndPoint? remoteEndPoint, string reason);

    [LoggerMessage(1101, LogLevel.Debug, "Grain connection from {RemoteEndPoint} closed")]
    public static partial void InboundClosed(ILogger logger, EndPoint? remoteEndPoint);

    [LoggerMessage(1102, LogLevel.Warning, "Grain connection from {RemoteEndPoint} failed")]
    public static partial void InboundFailed(ILogger logger, EndPoint? remoteEndPoint, Exception exception);

    [LoggerMessage(1103, LogLevel.Error, "Incoming call to {GrainId} method {MethodId} threw instead of returning an outcome")]
    public static partial void HandlerThrew(ILogger logger, GrainId grainId, ushort methodId, Exception exception);

    [LoggerMessage(1104, LogLevel.Warning, "Connection from {RemoteEndPoint} has {Limit} calls in flight; answering overloaded")]
    public static partial void Overloaded(ILogger logger, EndPoint? remoteEndPoint, int limit);

    [LoggerMessage(1105, LogLevel.Warning, "Grain connection from {RemoteEndPoint} closed during the cluster handshake ({Reason}): {Detail}")]
    public static partial void HandshakeFailed(ILogger logger, EndPoint? remoteEndPoint, string reason, string detail);

    [LoggerMessage(1106, LogLevel.Warning, "Refusing grain connection from {RemoteEndPoint}: {Limit} grain connections are open (Granary:Silo:MaxConnections)")]
    public static partial void TooManyConnections(ILogger logger, EndPoint? remoteEndPoint, int limit);

    [LoggerMessage(1107, LogLevel.Warning, "No cluster secret configured (Granary:ClusterSecret): the grain port {Host}:{Port} is unauthenticated; any local process can call grains. Set the same random secret on every silo and gateway")]
    public static partial void GrainPortUnauthenticated(ILogger logger, string host, int port);

    [LoggerMessage(1110, LogLevel.Information, "Connected to silo {Endpoint}")]
    public static partial void Connected(ILogger logger, string endpoint);

    [LoggerMessage(1111, LogLevel.Warning, "Could not connect to silo {Endpoint}; next attempt in {DelayMs} ms: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string endpoint, int delayMs, string reason);

    [LoggerMessage(1112, LogLevel.Warning, "Lost connection to silo {Endpoint}: {Reason}")]
    public static partial void ConnectionLost(ILogger logger, string endpoint, string reason);

    [LoggerMessage(1114, LogLevel.Error, "Silo {Endpoint} refused this client: {Reason}")]
    public static partial void AuthenticationFailed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(1115, LogLevel.Warning, "No cluster secret configured (Granary:ClusterSecret): connecting to silos with the empty secret, which only silos without a secret accept")]
    public static partial void ClientUnauthenticated(ILogger logger);

    [LoggerMessage(1113, LogLevel.Warning, "Silo {Endpoint} redirected {GrainId} to an unparsable owner '{Owner}'; refreshing the view instead")]
    public static partial void BadRedirect(ILogger logger, string endpoint, GrainId grainId, string owner);
}
