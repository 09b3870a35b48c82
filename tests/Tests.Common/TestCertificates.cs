using System.Security.Cryptography.X509Certificates;
using Granary.Hosting.Tls;

namespace Granary.Tests.Common;

/// <summary>
/// A throw-away CA for TLS tests (valid one day), issuing certificates for the cluster's mutual TLS: a thin
/// wrapper of <see cref="DevelopmentCertificates"/>, the same code compose's development CA uses.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly DevelopmentCertificates _ca;

    /// <param name="name">The CA's common name.</param>
    public TestCertificates(string name = "Granary test CA") => _ca = DevelopmentCertificates.CreateAuthority(name, TimeSpan.FromDays(1));

    /// <summary>The CA's certificate.</summary>
    public X509Certificate2 Authority => _ca.Authority;

    /// <summary>A certificate for <paramref name="name"/> (CN and DNS SAN, IP SAN 127.0.0.1) with its private key, valid 23 hours.</summary>
    public X509Certificate2 Issue(string name) => _ca.Issue(name, TimeSpan.FromHours(23));

    /// <summary>Writes <c>{name}.crt</c> and <c>{name}.key</c> (PEM) into <paramref name="directory"/>; returns both paths.</summary>
    public (string CertificatePath, string KeyPath) WriteIssued(string directory, string name) => _ca.WriteIssued(directory, name, TimeSpan.FromHours(23));

    /// <summary>Writes the CA's certificate as <c>ca.crt</c> into <paramref name="directory"/>; returns its path.</summary>
    public string WriteAuthority(string directory) => _ca.WriteAuthority(directory);

    /// <inheritdoc />
    public void Dispose() => _ca.Dispose();
}
