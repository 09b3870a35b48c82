using System.Net;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace Granary.Hosting.Tls;

/// <summary>
/// Loads <see cref="GranaryTlsOptions"/>' PEM files and configures Orleans's
/// <see cref="TlsOptions"/> (Microsoft.Orleans.Connections.Security) for mutual TLS against the
/// cluster's own CA: a certificate is required from every peer, in both directions, and accepted
/// only when it chains to a certificate of <see cref="GranaryTlsOptions.CaPath"/> (custom root
/// trust, no revocation check, host names not checked).
/// </summary>
public sealed class ClusterTls
{
    private readonly X509Certificate2Collection _authorities;

    private ClusterTls(X509Certificate2 certificate, X509Certificate2Collection authorities, TimeSpan handshakeTimeout)
    {
        Certificate = certificate;
        _authorities = authorities;
        HandshakeTimeout = handshakeTimeout;
    }

    /// <summary>This process's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The TLS handshake deadline.</summary>
    public TimeSpan HandshakeTimeout { get; }

    /// <summary>Reads the certificate, its key and the CA.</summary>
    /// <exception cref="InvalidOperationException">TLS is off, or a file is missing or not valid PEM; the message names the key and the file.</exception>
    public static ClusterTls Load(GranaryTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
            throw new InvalidOperationException($"{GranaryTlsOptions.Section}:{nameof(GranaryTlsOptions.CertificatePath)} is not set.");
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(options.CertificatePath!, options.KeyPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"Cannot load the TLS certificate {GranaryTlsOptions.Section}:{nameof(GranaryTlsOptions.CertificatePath)} = '{options.CertificatePath}' " +
                $"with its key {GranaryTlsOptions.Section}:{nameof(GranaryTlsOptions.KeyPath)} = '{options.KeyPath}': {ex.Message}", ex);
        }
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(options.CaPath!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"Cannot load the TLS CA {GranaryTlsOptions.Section}:{nameof(GranaryTlsOptions.CaPath)} = '{options.CaPath}': {ex.Message}", ex);
        }
        if (authorities.Count == 0)
            throw new InvalidOperationException($"The TLS CA file {GranaryTlsOptions.Section}:{nameof(GranaryTlsOptions.CaPath)} = '{options.CaPath}' holds no certificate.");
        return new ClusterTls(certificate, authorities, TimeSpan.FromMilliseconds(options.HandshakeTimeoutMs));
    }

    /// <summary>Sets <paramref name="tls"/> up for mutual TLS with this certificate and CA.</summary>
    public void Configure(TlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        tls.LocalCertificate = Certificate;
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.HandshakeTimeout = HandshakeTimeout;
        tls.RemoteCertificateValidation = (certificate, _, _) => IsTrusted(certificate);
    }

    /// <summary>True when <paramref name="certificate"/> chains to one of the configured CA certificates (and is within its validity period).</summary>
    public bool IsTrusted(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>
    /// True when every one of <paramref name="addresses"/> is a loopback address (or <c>localhost</c>);
    /// the rule for running without TLS.
    /// </summary>
    public static bool AllLoopback(IEnumerable<string> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        foreach (var address in addresses)
        {
            var host = address;
            // host:port, [v6]:port, or a bare address.
            if (host.StartsWith('[') && host.IndexOf(']') is var close and > 0)
                host = host[1..close];
            else if (host.Count(c => c == ':') == 1)
                host = host[..host.IndexOf(':')];
            if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
                continue;
            if (!IPAddress.TryParse(host, out var ip) || !IPAddress.IsLoopback(ip))
                return false;
        }
        return true;
    }
}
