using YamlDotNet.RepresentationModel;

namespace Granary.Deploy.Tests;

/// <summary>What the tests read from one service of <c>docker-compose.yml</c>.</summary>
internal sealed class ComposeService(string name, YamlMappingNode node)
{
    public string Name { get; } = name;

    /// <summary>The service's top-level keys (<c>build</c>, <c>environment</c>, ...), in file order.</summary>
    public IReadOnlyList<string> Keys => node.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value!).ToList();

    public string? Image => Scalar(node, "image");

    public string? ContainerName => Scalar(node, "container_name");

    /// <summary>Build context relative to the compose file's directory; null without <c>build</c>.</summary>
    public string? BuildContext => Child(node, "build") switch
    {
        YamlScalarNode s => s.Value,
        YamlMappingNode m => Scalar(m, "context") ?? ".",
        _ => null,
    };

    /// <summary>Dockerfile relative to the build context (compose's default <c>Dockerfile</c>); null without <c>build</c>.</summary>
    public string? BuildDockerfile => Child(node, "build") switch
    {
        YamlScalarNode => "Dockerfile",
        YamlMappingNode m => Scalar(m, "dockerfile") ?? "Dockerfile",
        _ => null,
    };

    /// <summary>Whether the service has a <c>build</c> section.</summary>
    public bool IsBuilt => Child(node, "build") is not null;

    /// <summary>The Dockerfile's full path, or null for an image-only service.</summary>
    public string? DockerfilePath => BuildContext is null ? null : RepoPaths.Combine(Path.Combine(BuildContext, BuildDockerfile!));

    /// <summary><c>build.target</c>: the Dockerfile stage to build; null for the last stage (or without <c>build</c>).</summary>
    public string? BuildTarget => Child(node, "build") is YamlMappingNode m ? Scalar(m, "target") : null;

    /// <summary><c>build.args</c> in either form (mapping, or a list of <c>KEY=VALUE</c>), values as written (not interpolated).</summary>
    public IReadOnlyDictionary<string, string> BuildArgs => (Child(node, "build") as YamlMappingNode) is { } build ? Child(build, "args") switch
    {
        YamlMappingNode m => m.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value ?? "", StringComparer.Ordinal),
        YamlSequenceNode s => s.Children.Cast<YamlScalarNode>().Select(n => n.Value!.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal),
        null => new Dictionary<string, string>(),
        var other => throw new FormatException($"Service {Name}: build.args is a {other.NodeType}."),
    } : new Dictionary<string, string>();

    /// <summary><c>environment</c> in either form (mapping, or a list of <c>KEY=VALUE</c>).</summary>
    public IReadOnlyDictionary<string, string> Environment => Child(node, "environment") switch
    {
        YamlMappingNode m => m.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value ?? "", StringComparer.Ordinal),
        YamlSequenceNode s => s.Children.Cast<YamlScalarNode>().Select(n => n.Value!.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal),
        null => new Dictionary<string, string>(),
        var other => throw new FormatException($"Service {Name}: environment is a {other.NodeType}."),
    };

    /// <summary><c>ports</c> in the short syntax, compose variables interpolated as with an empty environment (defaults apply).</summary>
    public IReadOnlyList<PortMapping> Ports => Child(node, "ports") switch
    {
        YamlSequenceNode s => s.Children.Select(n => n is YamlScalarNode v
            ? PortMapping.Parse(v.Value!)
            : throw new FormatException($"Service {Name}: use the short port syntax.")).ToList(),
        null => [],
        var other => throw new FormatException($"Service {Name}: ports is a {other.NodeType}."),
    };

    /// <summary>A compose <c>healthcheck</c> that is not disabled.</summary>
    public bool HasHealthcheck => Child(node, "healthcheck") is YamlMappingNode h
        && Scalar(h, "disable") != "true"
        && !(Child(h, "test") is YamlSequenceNode t && t.Children.Count > 0 && t.Children[0] is YamlScalarNode { Value: "NONE" });

    /// <summary>A healthcheck explicitly turned off here (so the image's HEALTHCHECK does not count either).</summary>
    public bool DisablesHealthcheck => Child(node, "healthcheck") is YamlMappingNode h && !HasHealthcheck;

    /// <summary><c>depends_on</c>: service name → condition (the list form means <c>service_started</c>).</summary>
    public IReadOnlyDictionary<string, string> DependsOn => Child(node, "depends_on") switch
    {
        YamlSequenceNode s => s.Children.Cast<YamlScalarNode>().ToDictionary(n => n.Value!, _ => "service_started"),
        YamlMappingNode m => m.Children.ToDictionary(
            kv => ((YamlScalarNode)kv.Key).Value!,
            kv => kv.Value is YamlMappingNode c ? Scalar(c, "condition") ?? "service_started" : "service_started"),
        null => new Dictionary<string, string>(),
        var other => throw new FormatException($"Service {Name}: depends_on is a {other.NodeType}."),
    };

    /// <summary><c>volumes</c> in the short syntax (<c>source:target[:mode]</c>); empty when none.</summary>
    public IReadOnlyList<string> Volumes => Child(node, "volumes") is YamlSequenceNode s
        ? s.Children.OfType<YamlScalarNode>().Select(n => n.Value!).ToList()
        : [];

    /// <summary><c>entrypoint</c> as arguments (a string is split on spaces); empty when the image's applies.</summary>
    public IReadOnlyList<string> Entrypoint => Child(node, "entrypoint") switch
    {
        YamlSequenceNode s => s.Children.Cast<YamlScalarNode>().Select(n => n.Value!).ToList(),
        YamlScalarNode v => v.Value!.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        _ => [],
    };

    /// <summary><c>command</c> as arguments (a string is split on spaces, as compose does for simple strings).</summary>
    public IReadOnlyList<string> Command => Child(node, "command") switch
    {
        YamlSequenceNode s => s.Children.Cast<YamlScalarNode>().Select(n => n.Value!).ToList(),
        YamlScalarNode v => v.Value!.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        _ => [],
    };

    public override string ToString() => Name;

    internal static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    internal static string? Scalar(YamlMappingNode map, string key) => (Child(map, key) as YamlScalarNode)?.Value;
}
