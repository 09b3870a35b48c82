namespace Granary.Runtime.Messaging;

/// <summary>
/// The grain port's handshake failed on the cluster secret: the silo refused this client's proof
/// (different secret, or one side has none), or the silo could not prove the secret to the client.
/// Never carries the secret itself. A gateway whose configured silos all refuse the secret fails
/// its start with this exception.
/// </summary>
public sealed class ClusterAuthenticationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="endpoint">The silo's grain endpoint, <c>host:port</c>.</param>
    /// <param name="reason"><c>bad_secret</c> (the silo refused this client's proof) or <c>silo_unproven</c> (the silo's proof was wrong).</param>
    /// <param name="message">What went wrong, naming <paramref name="endpoint"/>.</param>
    public ClusterAuthenticationException(string endpoint, string reason, string message) : base(message)
    {
        Endpoint = endpoint;
        Reason = reason;
    }

    /// <summary><c>bad_secret</c> (the silo refused this client's proof) or <c>silo_unproven</c> (the silo's proof was wrong).</summary>
    public string Reason { get; }

    /// <summary>The silo's grain endpoint, <c>host:port</c>.</summary>
    public string Endpoint { get; }
}
