using Granary.Gateway.Configuration;
using Granary.Gateway.Hosting;

try
{
    var app = GatewayApp.Build(args);
    await app.RunAsync();
    // 0, or 3 when the silos refused this gateway's TLS certificate at start-up (ClusterConnector).
    return Environment.ExitCode;
}
catch (GatewayConfigurationException ex)
{
    // Exit code 2: the configuration is invalid (the message names every bad key).
    Console.Error.WriteLine(ex.Message);
    return 2;
}
