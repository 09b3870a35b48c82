using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Granary.Deploy.Tests;

/// <summary>What a compose service's process will do, combining the compose file, its image's ENV and the hosts' defaults.</summary>
internal static partial class ServiceFacts
{
    /// <summary>The Dockerfile the service is built from, with its <c>build.args</c> (interpolated with no environment) applied; null without <c>build</c>.</summary>
    public static DockerfileModel? Dockerfile(ComposeService service) =>
        service.DockerfilePath is { } path
            ? DockerfileModel.Load(path, service.BuildArgs.ToDictionary(
                kv => kv.Key, kv => Interpolation.Substitute(kv.Value, _ => null, Interpolation.Escapes.Compose), StringComparer.Ordinal))
            : null;

    /// <summary>The stage the service's image is: <c>build.target</c>, else the Dockerfile's last stage (effective); null without <c>build</c>.</summary>
    public static DockerStage? ImageStage(ComposeService service) => Dockerfile(service)?.Target(service.BuildTarget);

    /// <summary>The environment the process sees: the image's ENV overridden by the compose file's.</summary>
    public static IReadOnlyDictionary<string, string> EffectiveEnvironment(ComposeService service)
    {
        var env = new Dictionary<string, string>(ImageStage(service)?.Environment ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (k, v) in service.Environment) env[k] = v;
        return env;
    }

    /// <summary>A configuration value from the effective environment (<c>Section:Key</c> form, matched case-insensitively).</summary>
    public static string? Config(ComposeService service, string key)
    {
        var variable = key.Replace(":", "__", StringComparison.Ordinal);
        return EffectiveEnvironment(service).Where(kv => kv.Key.Equals(variable, StringComparison.OrdinalIgnoreCase)).Select(kv => kv.Value).LastOrDefault();
    }

    /// <summary>Orleans's silo-to-silo port of <paramref name="silo"/>: <c>Granary:Silo:SiloPort</c>, else the default.</summary>
    public static int SiloPort(ComposeService silo) => SiloOption(silo, "SiloPort");

    /// <summary>Orleans's gateway port of <paramref name="silo"/>: <c>Granary:Silo:GatewayPort</c>, else the default.</summary>
    public static int SiloGatewayPort(ComposeService silo) => SiloOption(silo, "GatewayPort");

    private static int SiloOption(ComposeService silo, string property)
    {
        if (Config(silo, "Granary:Silo:" + property) is { } v) return int.Parse(v, CultureInfo.InvariantCulture);
        var options = Activator.CreateInstance(Type.GetType("Granary.Silo.GranarySiloOptions, Granary.Silo", throwOnError: true)!, nonPublic: true)!;
        return (int)options.GetType().GetProperty(property, BindingFlags.Public | BindingFlags.Instance)!.GetValue(options)!;
    }

    public static int SiloHttpPort(ComposeService silo)
    {
        if (Config(silo, "Granary:Silo:HttpPort") is { } v) return int.Parse(v, CultureInfo.InvariantCulture);
        var options = Activator.CreateInstance(Type.GetType("Granary.Silo.SiloHttpOptions, Granary.Silo", throwOnError: true)!, nonPublic: true)!;
        return (int)options.GetType().GetProperty("HttpPort", BindingFlags.Public | BindingFlags.Instance)!.GetValue(options)!;
    }

    /// <summary>The ports of <c>Granary:Gateway:Urls</c> (the gateway's listen URLs).</summary>
    public static IReadOnlyList<int> GatewayPorts(ComposeService gateway) =>
        (Config(gateway, "Granary:Gateway:Urls") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(u => new Uri(u).Port).ToList();

    /// <summary>The port a service's health check probes: the argument of <c>healthcheck.sh</c>, with <c>${VAR:-default}</c> resolved.</summary>
    public static int? HealthcheckPort(ComposeService service)
    {
        var command = ImageStage(service)?.HealthcheckCommand;
        if (command is null) return null;
        var tokens = DockerInstruction.Tokenize(command);
        var at = tokens.IndexOf("healthcheck.sh");
        if (at < 0 || at + 1 >= tokens.Count) return null;
        var arg = tokens[at + 1];
        var m = DefaultedVariable().Match(arg);
        if (m.Success)
            arg = EffectiveEnvironment(service).TryGetValue(m.Groups["name"].Value, out var set) && set.Length > 0 ? set : m.Groups["default"].Value;
        return int.Parse(arg, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*):-(?<default>[^}]*)\}$")]
    private static partial Regex DefaultedVariable();
}
