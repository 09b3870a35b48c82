using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Granary.Hosting.Tls;

namespace Granary.Gateway.Cluster;

/// <summary>
/// Tells a silo that refuses this gateway's TLS certificate from a silo that is down or starting. Under TLS 1.3 a
/// server checks the client's certificate after the client has finished its handshake, so Orleans's client only
/// sees a connection that closes ("Underlying connection closed") and would retry for ever. This probe connects to
/// one silo gateway endpoint, completes the TLS handshake with the gateway's certificate, and reads: a silo that
/// accepted the certificate waits for the client's first Orleans frame (the read times out: accepted); one that
/// refused it sends an alert or closes at once (refused). A handshake that fails on this side (the silo's
/// certificate is not from the configured CA) is refused too. A TCP connection that cannot be made is unknown.
/// </summary>
internal static class TlsProbe
{
    /// <summary>How long a silo that accepted the certificate is given to close the connection anyway: 2 s.</summary>
    public static readonly TimeSpan AcceptWait = TimeSpan.FromSeconds(2);

    /// <summary>What the probe learnt about one endpoint.</summary>
    public enum Verdict
    {
        /// <summary>No TCP connection (down, starting, wrong address): no conclusion.</summary>
        Unknown,

        /// <summary>The silo kept the connection open after the handshake.</summary>
        Accepted,

        /// <summary>The handshake failed, or the silo closed right after it.</summary>
        Refused,
    }

    /// <summary>Probes <paramref name="endpoint"/>; the reason says what happened (for the log).</summary>
    public static async Task<(Verdict Verdict, string Reason)> ProbeAsync(IPEndPoint endpoint, ClusterTls tls, CancellationToken cancellationToken)
    {
        using var tcp = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(tls.HandshakeTimeout + AcceptWait);
        try
        {
            await tcp.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (Verdict.Unknown, $"no connection to {endpoint}: {e.Message}");
        }
        await using var stream = new SslStream(new NetworkStream(tcp, ownsSocket: false), leaveInnerStreamOpen: false);
        try
        {
            await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = endpoint.Address.ToString(),
                ClientCertificates = [tls.Certificate],
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && tls.IsTrusted(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())),
            }, timeout.Token).ConfigureAwait(false);
        }
        catch (AuthenticationException e)
        {
            return (Verdict.Refused, $"TLS handshake with {endpoint} failed: {e.Message}");
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (Verdict.Refused, $"{endpoint} closed the connection during the TLS handshake: {e.Message}");
        }
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(AcceptWait);
        try
        {
            var buffer = new byte[1];
            var read = await stream.ReadAsync(buffer, wait.Token).ConfigureAwait(false);
            return read == 0
                ? (Verdict.Refused, $"{endpoint} closed the connection right after the TLS handshake (it refused this gateway's certificate)")
                : (Verdict.Accepted, $"{endpoint} sent data");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (Verdict.Accepted, $"{endpoint} kept the connection open");
        }
        catch (Exception e) when (e is IOException or AuthenticationException)
        {
            return (Verdict.Refused, $"{endpoint} ended the connection after the TLS handshake: {e.GetBaseException().Message}");
        }
    }
}
