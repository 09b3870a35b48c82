using Granary.Gateway.Configuration;
using Granary.Gateway.Hosting;

try
{
    var app = GatewayApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (GatewayConfigurationException ex)
{
    // Exit code 2: the configuration is invalid (the message names every bad key).
    Console.Error.WriteLine(ex.Message);
    return 2;
}
