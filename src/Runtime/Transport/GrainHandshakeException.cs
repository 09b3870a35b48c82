namespace Granary.Runtime.Transport;

/// <summary>
/// The client's side of the grain-port handshake failed for a reason other than the secret: the silo
/// refused the connection (too many connections), closed it, or answered something that is not a handshake.
/// </summary>
/// <param name="reason">Metric tag: <c>too_many_connections</c>, <c>closed</c> or <c>protocol</c>.</param>
/// <param name="message">What happened, naming the silo.</param>
internal sealed class GrainHandshakeException(string reason, string message) : IOException(message)
{
    /// <summary>Metric tag: <c>too_many_connections</c>, <c>closed</c> or <c>protocol</c>.</summary>
    public string Reason { get; } = reason;
}
