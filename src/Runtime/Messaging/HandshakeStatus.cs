namespace Granary.Runtime.Messaging;

/// <summary>The status byte a silo sends in the handshake's challenge and verdict (see <see cref="ClusterHandshake"/>).</summary>
public enum HandshakeStatus : byte
{
    /// <summary>Challenge: go on and prove the secret. Verdict: the client proved it; the silo's proof follows.</summary>
    Ok = 0,

    /// <summary>Verdict only: the client's proof does not match the silo's cluster secret; the silo closes the connection.</summary>
    BadSecret = 1,

    /// <summary>Challenge only: the silo already serves its maximum of grain connections (<c>Granary:Silo:MaxConnections</c>); it closes this one.</summary>
    TooManyConnections = 2,
}
