using Granary.Gateway.Configuration;
using Granary.Gateway.Hosting;
using Granary.Runtime.Messaging;

try
{
    var app = GatewayApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (GatewayConfigurationException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
catch (ClusterAuthenticationException ex)
{
    // No silo accepted the cluster secret (Granary:ClusterSecret): fail the start, loudly.
    Console.Error.WriteLine($"Granary gateway cannot start: {ex.Message}");
    return 3;
}
