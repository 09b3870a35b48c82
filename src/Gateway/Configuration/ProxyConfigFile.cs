namespace Granary.Gateway.Configuration;

/// <summary>
/// Where the gateway reads YARP's <c>ReverseProxy</c> section from. Normally the host configuration
/// (appsettings.json, environment, command line); when <c>Granary:Gateway:ProxyConfigFile</c> names a
/// JSON file, that file's <c>ReverseProxy</c> section replaces the host's one entirely (ASP.NET
/// configuration merges sources and cannot delete keys, so this is how a launcher such as
/// <c>./run.sh --backends 2</c> runs with fewer destinations than appsettings.json lists). The file
/// is watched: edits reload the routes and clusters like appsettings.json does.
/// </summary>
internal static class ProxyConfigFile
{
    /// <summary>Configuration key naming the file (absolute, or relative to the working directory).</summary>
    public const string Key = GatewayOptions.Section + ":ProxyConfigFile";

    /// <summary>The <c>ReverseProxy</c> section to use.</summary>
    /// <exception cref="GatewayConfigurationException">The file is named but missing or not valid JSON.</exception>
    public static IConfigurationSection ReverseProxySection(IConfiguration config)
    {
        var path = config[Key];
        if (string.IsNullOrWhiteSpace(path))
            return config.GetSection("ReverseProxy");
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new GatewayConfigurationException($"{Key}: file '{full}' does not exist.");
        try
        {
            // Kept alive for the process lifetime: its file watcher feeds YARP's reloads.
            return new ConfigurationBuilder()
                .AddJsonFile(full, optional: false, reloadOnChange: true)
                .Build()
                .GetSection("ReverseProxy");
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException)
        {
            throw new GatewayConfigurationException($"{Key}: cannot read '{full}': {ex.Message}");
        }
    }
}
