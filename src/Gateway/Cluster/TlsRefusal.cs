namespace Granary.Gateway.Cluster;

/// <summary>
/// Set once when the silos refused this gateway's TLS certificate at start-up (<see cref="ConnectRetryFilter"/>),
/// read by <see cref="ClusterConnector"/>, which then stops the gateway with exit code 3.
/// </summary>
internal sealed class TlsRefusal
{
    private string? _reason;

    /// <summary>Why the connection was refused (the probe's or the handshake's words), or null.</summary>
    public string? Reason => Volatile.Read(ref _reason);

    /// <summary>Records the first refusal.</summary>
    public void Refuse(string reason) => Interlocked.CompareExchange(ref _reason, reason, null);
}
