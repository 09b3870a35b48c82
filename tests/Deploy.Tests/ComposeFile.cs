using YamlDotNet.RepresentationModel;

namespace Granary.Deploy.Tests;

/// <summary><c>docker-compose.yml</c>, parsed with YamlDotNet (anchors and aliases resolved).</summary>
internal sealed class ComposeFile
{
    private ComposeFile(IReadOnlyList<ComposeService> services, IReadOnlyList<string> volumes)
    {
        Services = services;
        Volumes = volumes;
    }

    public IReadOnlyList<ComposeService> Services { get; }

    /// <summary>Named volumes declared at the top level.</summary>
    public IReadOnlyList<string> Volumes { get; }

    public ComposeService this[string name] => Services.SingleOrDefault(s => s.Name == name)
        ?? throw new KeyNotFoundException($"docker-compose.yml has no service '{name}'.");

    public static ComposeFile Load(string path)
    {
        using var reader = new StreamReader(path);
        return Parse(reader);
    }

    public static ComposeFile Parse(TextReader reader)
    {
        var yaml = new YamlStream();
        yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents.Single().RootNode;
        var services = ComposeService.Child(root, "services") as YamlMappingNode
            ?? throw new FormatException("The compose file has no 'services' mapping.");
        var volumes = ComposeService.Child(root, "volumes") is YamlMappingNode v
            ? v.Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value!).ToList()
            : [];
        return new ComposeFile(
            services.Children.Select(kv => new ComposeService(((YamlScalarNode)kv.Key).Value!, (YamlMappingNode)kv.Value)).ToList(),
            volumes);
    }

    /// <summary>
    /// The kind of host a service runs: from the Dockerfile it is built from (the silo's runs the certificates one-shot
    /// when its entrypoint says <c>--make-dev-certs</c>); a service on PostgreSQL (built on a <c>postgres:</c> base image,
    /// e.g. deploy/postgres.Dockerfile's POSTGRES_IMAGE default, or an image-only <c>postgres:</c> service) is Postgres.
    /// </summary>
    public static ServiceKind KindOf(ComposeService service)
    {
        switch (service.DockerfilePath is { } path ? RepoPaths.Relative(path) : null)
        {
            case "deploy/silo.Dockerfile" when service.Entrypoint.Contains("--make-dev-certs"):
                return ServiceKind.Certificates;
            case "deploy/silo.Dockerfile":
                return ServiceKind.Silo;
            case "deploy/gateway.Dockerfile":
                return ServiceKind.Gateway;
            case "deploy/backend.Dockerfile":
                return ServiceKind.Backend;
        }
        var image = service.IsBuilt
            ? (File.Exists(service.DockerfilePath) ? ServiceFacts.ImageStage(service)?.BaseImage : null)
            : service.Image;
        return image?.StartsWith("postgres:", StringComparison.Ordinal) == true ? ServiceKind.Postgres : ServiceKind.Unknown;
    }
}
