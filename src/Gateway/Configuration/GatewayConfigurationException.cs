namespace Granary.Gateway.Configuration;

/// <summary>The gateway's configuration is invalid; the message names every bad key and its valid values.</summary>
internal sealed class GatewayConfigurationException(string message) : Exception(message);
