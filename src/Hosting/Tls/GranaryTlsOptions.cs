namespace Granary.Hosting.Tls;

/// <summary>
/// Mutual TLS on Orleans's silo-to-silo and gateway ports (configuration section
/// <see cref="Section"/>, the same keys on silos and gateways). TLS is on when
/// <see cref="CertificatePath"/> is set; then <see cref="KeyPath"/> and <see cref="CaPath"/> are
/// required too. Every peer must present a certificate issued by the CA in <see cref="CaPath"/>
/// (the cluster's own CA; host names are not checked, membership in the CA is the credential).
/// Without TLS a process may only listen on or connect to loopback addresses.
/// </summary>
public sealed class GranaryTlsOptions
{
    /// <summary>The configuration section: <c>Granary:Tls</c>.</summary>
    public const string Section = "Granary:Tls";

    /// <summary>This process's certificate (PEM, the leaf first, optionally followed by intermediates); null = TLS off.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The private key of <see cref="CertificatePath"/> (PEM, PKCS#8 or PKCS#1/SEC1, unencrypted).</summary>
    public string? KeyPath { get; set; }

    /// <summary>The CA certificate(s) peers must chain to (PEM; one or more certificates).</summary>
    public string? CaPath { get; set; }

    /// <summary>TLS handshake deadline, ms; 100 to 60000; default 5000.</summary>
    public int HandshakeTimeoutMs { get; set; } = 5000;

    /// <summary>True when <see cref="CertificatePath"/> is set.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);

    /// <summary>The problems of these options, each naming its key; empty when valid. Files are not read here.</summary>
    public IEnumerable<string> Validate()
    {
        if (HandshakeTimeoutMs is < 100 or > 60_000)
            yield return $"{Section}:{nameof(HandshakeTimeoutMs)} must be 100–60000, got {HandshakeTimeoutMs}.";
        if (!Enabled)
        {
            if (!string.IsNullOrWhiteSpace(KeyPath) || !string.IsNullOrWhiteSpace(CaPath))
                yield return $"{Section}:{nameof(KeyPath)}/{nameof(CaPath)} are set but {Section}:{nameof(CertificatePath)} is not; set all three to turn TLS on.";
            yield break;
        }
        if (string.IsNullOrWhiteSpace(KeyPath))
            yield return $"{Section}:{nameof(KeyPath)} is required with {Section}:{nameof(CertificatePath)}.";
        if (string.IsNullOrWhiteSpace(CaPath))
            yield return $"{Section}:{nameof(CaPath)} is required with {Section}:{nameof(CertificatePath)}.";
    }
}
