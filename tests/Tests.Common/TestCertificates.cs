using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Granary.Tests.Common;

/// <summary>
/// A throw-away certificate authority for TLS tests: issues ECDSA P-256 leaf certificates usable for
/// both TLS client and server authentication, and writes certificates and keys as PEM files (the
/// shape <c>Granary:Tls:CertificatePath</c>, <c>KeyPath</c> and <c>CaPath</c> take).
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>Creates a CA named <paramref name="name"/>, valid from an hour ago for a day.</summary>
    public TestCertificates(string name = "Granary test CA")
    {
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>The CA's certificate (with its key).</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>Issues a leaf certificate for <paramref name="name"/> (also its DNS name), signed by this CA.</summary>
    public X509Certificate2 Issue(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using var issued = request.Create(Authority, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(23), serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// Issues a certificate for <paramref name="name"/> and writes <c>name.crt</c> and <c>name.key</c>
    /// (PEM) into <paramref name="directory"/>; returns their paths.
    /// </summary>
    public (string CertificatePath, string KeyPath) WriteIssued(string directory, string name)
    {
        using var certificate = Issue(name);
        var certificatePath = Path.Combine(directory, name + ".crt");
        var keyPath = Path.Combine(directory, name + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    /// <summary>Writes the CA certificate (PEM, no key) to <c>ca.crt</c> in <paramref name="directory"/>; returns its path.</summary>
    public string WriteAuthority(string directory)
    {
        var path = Path.Combine(directory, "ca.crt");
        File.WriteAllText(path, Authority.ExportCertificatePem());
        return path;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Authority.Dispose();
        _caKey.Dispose();
    }
}
