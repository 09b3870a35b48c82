namespace Granary.Gateway.Fallback;

/// <summary>
/// How the gateway reads a failed grain call: a failure of the link or of the cluster, which a local decision
/// stands in for (<see cref="IsFallbackError"/>), a bad request the grain refused (<see cref="IsBadRequest"/>,
/// logged, never decided locally), or anything else (a bug: it propagates).
/// </summary>
internal static class GrainFailures
{
    /// <summary>
    /// True when the grain refused the call's arguments: Orleans rethrows the grain's <see cref="ArgumentException"/>
    /// (or a subclass) on the caller as that exception. Such a call fails the same way wherever it is decided, so the
    /// gateway does not fall back; it logs it (and the rate limiter answers 400).
    /// </summary>
    public static bool IsBadRequest(Exception exception) => exception is ArgumentException;

    /// <summary>
    /// True for failures a local decision can stand in for:
    /// <list type="bullet">
    /// <item><see cref="TimeoutException"/>: the method's response timeout (<c>GrainCallTimeouts.HotPath</c>, 1 s) passed;</item>
    /// <item>any <see cref="OrleansException"/>: <see cref="SiloUnavailableException"/> (the silo died, or is shutting down),
    /// <see cref="OrleansMessageRejectionException"/> (no gateway, message rejected), <c>ConnectionFailedException</c>,
    /// <see cref="GatewayTooBusyException"/>, a grain that could not be activated or whose storage failed, and a grain
    /// interface no silo knows (<see cref="Cluster.GrainReferences"/>): none of them is an answer of the grain;</item>
    /// <item>any <see cref="Orleans.Serialization.SerializerException"/>: the silo's answer could not be carried, e.g. an
    /// activation that failed because the database is down throws <c>NpgsqlException</c>, which Orleans cannot serialize,
    /// so the gateway receives <see cref="Orleans.Serialization.CodecNotFoundException"/>;</item>
    /// <item><see cref="ObjectDisposedException"/> and <see cref="OperationCanceledException"/> while the client is not
    /// connected (<paramref name="connected"/> false): the client is stopping or stopped.</item>
    /// </list>
    /// </summary>
    /// <param name="exception">The call's exception.</param>
    /// <param name="connected">Whether the gateway's cluster client is connected now (<see cref="SiloCircuit.IsConnected"/>).</param>
    public static bool IsFallbackError(Exception exception, bool connected = true) => exception switch
    {
        TimeoutException => true,
        OrleansException => true,
        Orleans.Serialization.SerializerException => true,
        ObjectDisposedException or OperationCanceledException => !connected,
        _ => false,
    };
}
