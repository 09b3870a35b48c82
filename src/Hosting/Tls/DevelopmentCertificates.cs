using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Granary.Hosting.Tls;

/// <summary>
/// A development certificate authority for the cluster's mutual TLS (<see cref="GranaryTlsOptions"/>), so that
/// docker compose needs no manual step: <see cref="Ensure"/> writes, into one directory, a CA (<c>ca.crt</c>, and its
/// key <c>ca.key</c> to issue more later) and one certificate per name (<c>{name}.crt</c>, <c>{name}.key</c>: PEM,
/// ECDSA P-256, PKCS#8 key, client and server authentication, the name as CN and DNS SAN). Files already there are
/// kept, so it is idempotent. For development and tests only: the CA key sits beside the certificates.
/// </summary>
public sealed class DevelopmentCertificates : IDisposable
{
    private readonly ECDsa _caKey;

    private DevelopmentCertificates(X509Certificate2 authority, ECDsa caKey)
    {
        Authority = authority;
        _caKey = caKey;
    }

    /// <summary>The CA's certificate (without its private key).</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>A new CA named <paramref name="name"/>, valid from an hour ago for <paramref name="lifetime"/>.</summary>
    public static DevelopmentCertificates CreateAuthority(string name, TimeSpan lifetime)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        using var selfSigned = request.CreateSelfSigned(start, start + lifetime);
        return new DevelopmentCertificates(X509CertificateLoader.LoadCertificate(selfSigned.Export(X509ContentType.Cert)), key);
    }

    /// <summary>
    /// A certificate for <paramref name="name"/> signed by this CA, with its private key: CN and DNS SAN
    /// <paramref name="name"/>, IP SAN 127.0.0.1, server and client authentication, valid for <paramref name="lifetime"/>
    /// (at most the CA's own validity).
    /// </summary>
    public X509Certificate2 Issue(string name, TimeSpan lifetime)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)); // server and client authentication
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        var end = start + lifetime < Authority.NotAfter ? start + lifetime : new DateTimeOffset(Authority.NotAfter.ToUniversalTime());
        using var signer = Authority.CopyWithPrivateKey(_caKey);
        using var issued = request.Create(signer, start, end, serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>Writes <see cref="Issue"/>'s certificate and key for <paramref name="name"/> as <c>{name}.crt</c> and <c>{name}.key</c>; returns both paths.</summary>
    public (string CertificatePath, string KeyPath) WriteIssued(string directory, string name, TimeSpan lifetime)
    {
        using var certificate = Issue(name, lifetime);
        var certificatePath = Path.Combine(directory, name + ".crt");
        var keyPath = Path.Combine(directory, name + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    /// <summary>Writes the CA's certificate as <c>ca.crt</c> in <paramref name="directory"/>; returns its path.</summary>
    public string WriteAuthority(string directory)
    {
        var path = Path.Combine(directory, "ca.crt");
        File.WriteAllText(path, Authority.ExportCertificatePem());
        return path;
    }

    /// <summary>
    /// Makes sure <paramref name="directory"/> holds the development CA and a certificate for every one of
    /// <paramref name="names"/>: creates what is missing (the CA valid 10 years, certificates 2 years), keeps what is
    /// there. Returns the file names it wrote.
    /// </summary>
    /// <exception cref="ArgumentException">No name, or a name that is not a plain file name.</exception>
    /// <exception cref="IOException">The directory cannot be created or written.</exception>
    public static IReadOnlyList<string> Ensure(string directory, IReadOnlyCollection<string> names)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (names.Count == 0 || names.Any(n => string.IsNullOrWhiteSpace(n) || n != Path.GetFileName(n) || n == "ca"))
            throw new ArgumentException("Give one or more certificate names, each a plain file name other than 'ca'.", nameof(names));
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        var caCertificate = Path.Combine(directory, "ca.crt");
        var caKeyPath = Path.Combine(directory, "ca.key");
        DevelopmentCertificates authority;
        if (File.Exists(caCertificate) && File.Exists(caKeyPath))
        {
            var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(caKeyPath));
            authority = new DevelopmentCertificates(X509CertificateLoader.LoadCertificateFromFile(caCertificate), key);
        }
        else
        {
            authority = CreateAuthority("Granary development CA", TimeSpan.FromDays(3650));
            authority.WriteAuthority(directory);
            File.WriteAllText(caKeyPath, authority._caKey.ExportPkcs8PrivateKeyPem());
            written.AddRange(["ca.crt", "ca.key"]);
        }
        using (authority)
        {
            foreach (var name in names)
            {
                if (File.Exists(Path.Combine(directory, name + ".crt")) && File.Exists(Path.Combine(directory, name + ".key")))
                    continue;
                authority.WriteIssued(directory, name, TimeSpan.FromDays(730));
                written.AddRange([name + ".crt", name + ".key"]);
            }
        }
        return written;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Authority.Dispose();
        _caKey.Dispose();
    }
}
