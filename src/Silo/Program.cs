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
WebApplication app;
try
{
    app = SiloApp.Create(args);
}
catch (SiloConfigurationException e)
{
    // Every configuration problem found, in one message that names the keys: no stack trace.
    Console.Error.WriteLine("granary-silo: " + e.Message);
    return 2;
}
var database = SiloApp.DescribeDatabase(app.Configuration); // read now: the host's services are gone once RunAsync throws
try
{
    await app.RunAsync().ConfigureAwait(false);
}
catch (Exception e) when (SiloApp.DatabaseFailure(e) is { } failure)
{
    // A database that is missing, unreachable or refuses the login: one line naming it, not a stack trace.
    Console.Error.WriteLine($"granary-silo: cannot run: PostgreSQL {database}: {failure.Message}. " +
        "Check Granary:PostgreSql:ConnectionString and that the server is up and the database exists.");
    return 3;
}
return 0;
