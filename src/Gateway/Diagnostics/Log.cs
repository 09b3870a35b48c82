
namespace Granary.Gateway.Diagnostics;

/// <summary>The gateway's log messages, with stable event ids (1–99).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "Silo unreachable ({Reason}): rate limits and balancing are decided locally; probing the silo every {ProbeMs} ms.")]
    public static partial void EnteringFallback(ILogger logger, string reason, int probeMs);

    [LoggerMessage(2, LogLevel.Information, "Silo reachable again: rate limits and balancing use the grains.")]
    public static partial void LeavingFallback(ILogger logger);

    [LoggerMessage(3, LogLevel.Information, "Cluster '{ClusterId}': retrying {Method} on destination '{To}' after a connect-time failure on '{From}'.")]
    public static partial void Retrying(ILogger logger, string clusterId, string method, string from, string to);

    [LoggerMessage(4, LogLevel.Warning, "Cluster '{ClusterId}': no healthy destination.")]
    public static partial void NoHealthyDestination(ILogger logger, string clusterId);

    [LoggerMessage(5, LogLevel.Information, "Cluster '{ClusterId}': policy {Policy} over {Count} destinations.")]
    public static partial void BalancerCreated(ILogger logger, string clusterId, string policy, int count);

    [LoggerMessage(6, LogLevel.Debug, "Backend grain '{GrainKey}': {Operation} failed: {Reason}")]
    public static partial void BackendCallFailed(ILogger logger, string grainKey, string operation, string reason);

    [LoggerMessage(7, LogLevel.Error, "Backend grain '{GrainKey}': {Operation} failed unexpectedly.")]
    public static partial void BackendCallFailedUnexpectedly(ILogger logger, Exception exception, string grainKey, string operation);

    [LoggerMessage(8, LogLevel.Error, "Unhandled exception on {Method} {Path}.")]
    public static partial void UnhandledException(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(9, LogLevel.Information, "Gateway '{GatewayId}' started: {Clusters} cluster(s), lease {LeaseMs} ms, renewal every {RenewMs} ms.")]
    public static partial void MonitorStarted(ILogger logger, string gatewayId, int clusters, int leaseMs, int renewMs);

    [LoggerMessage(10, LogLevel.Information, "Gateway '{GatewayId}' stopping: final in-flight reports sent for {Count} destination(s).")]
    public static partial void FinalReportsSent(ILogger logger, string gatewayId, int count);

    [LoggerMessage(11, LogLevel.Warning, "Gateway '{GatewayId}' stopping: final in-flight reports did not complete: {Reason}")]
    public static partial void FinalReportsFailed(ILogger logger, string gatewayId, string reason);

    [LoggerMessage(12, LogLevel.Error, "Cluster '{ClusterId}': cannot build the balancer: {Reason}")]
    public static partial void BalancerFailed(ILogger logger, string clusterId, string reason);

    [LoggerMessage(13, LogLevel.Warning, "Rate limiting: the client grain rejected the call for '{ClientId}': {Reason}")]
    public static partial void ClientGrainBadRequest(ILogger logger, string clientId, string reason);

    [LoggerMessage(14, LogLevel.Debug, "Heartbeat to gateway grain '{GatewayId}' failed: {Reason}")]
    public static partial void HeartbeatFailed(ILogger logger, string gatewayId, string reason);

    [LoggerMessage(15, LogLevel.Debug, "Client grain '{ClientId}': {Operation} failed: {Reason}")]
    public static partial void LeaseCallFailed(ILogger logger, string clientId, string operation, string reason);

    [LoggerMessage(16, LogLevel.Information, "Gateway stopping: {Tokens} unspent leased token(s) of {Clients} client(s) handed back.")]
    public static partial void LeasesReturned(ILogger logger, long tokens, int clients);

    [LoggerMessage(17, LogLevel.Information, "Connected to the cluster ({Gateways} silo gateway connection(s)): rate limits and balancing use the grains.")]
    public static partial void SiloConnected(ILogger logger, int gateways);

    [LoggerMessage(18, LogLevel.Warning, "Connection to every silo lost: rate limits and balancing are decided locally until a silo answers again.")]
    public static partial void SiloConnectionLost(ILogger logger);

    [LoggerMessage(26, LogLevel.Critical, "The TLS handshake with the silos failed ({Reason}): the silo refused this gateway's certificate, or this gateway refused the silo's. Check Granary:Tls:CertificatePath and Granary:Tls:KeyPath (a certificate issued by the cluster's CA) and Granary:Tls:CaPath (the CA that issued the silos' certificates). Stopping (exit code 3).")]
    public static partial void TlsRefused(ILogger logger, string reason);

    [LoggerMessage(19, LogLevel.Warning, "No silo reachable through {Target} yet (attempt {Attempt}: {Reason}): serving with local decisions; retrying every {DelayMs} ms.")]
    public static partial void SiloNotReachable(ILogger logger, string target, int attempt, string reason, int delayMs);

    [LoggerMessage(20, LogLevel.Debug, "No silo reachable through {Target} yet (attempt {Attempt}: {Reason}).")]
    public static partial void SiloConnectAttemptFailed(ILogger logger, string target, int attempt, string reason);

    [LoggerMessage(21, LogLevel.Error, "The cluster client failed to start; trying again in {DelayMs} ms.")]
    public static partial void ClientStartFailed(ILogger logger, Exception exception, int delayMs);

    [LoggerMessage(22, LogLevel.Debug, "Reconnection probe failed: {Reason}")]
    public static partial void ReconnectProbeFailed(ILogger logger, string reason);

    [LoggerMessage(23, LogLevel.Warning, "The cluster client did not stop cleanly: {Reason}")]
    public static partial void ClientStopFailed(ILogger logger, string reason);

    [LoggerMessage(24, LogLevel.Warning, "Backend grain '{GrainKey}' rejected {Operation}: {Reason}")]
    public static partial void BackendGrainRejectedCall(ILogger logger, string grainKey, string operation, string reason);

    [LoggerMessage(25, LogLevel.Warning, "Configuration key '{Key}' is no longer used ({Replacement}); it is ignored.")]
    public static partial void RemovedKey(ILogger logger, string key, string replacement);
}
