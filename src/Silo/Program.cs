using Granary.Hosting.Tls;
using Granary.Silo;

// `Granary.Silo --make-dev-certs DIR NAME...`: write a development CA and one certificate per NAME into DIR for the
// cluster's mutual TLS (Granary:Tls), keeping files already there; docker compose runs it once before the silos start.
if (args is ["--make-dev-certs", var directory, .. var names])
{
    try
    {
        var written = DevelopmentCertificates.Ensure(directory, names);
        Console.WriteLine(written.Count == 0
            ? $"Development certificates in {directory} are complete; nothing written."
            : $"Wrote {string.Join(", ", written)} to {directory}.");
        return 0;
    }
    catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
    {
        Console.Error.WriteLine($"--make-dev-certs: {e.Message}");
        return 2;
    }
}

// The silo host: see SiloApp for configuration keys and SiloEndpoints for the HTTP routes.
var app = SiloApp.Create(args);
await app.RunAsync().ConfigureAwait(false);
return 0;
