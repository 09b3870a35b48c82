using System.Collections;
using System.Reflection;
using System.Text.Json;
using Granary.Grains.RateLimiting;
using Granary.PostgreSql;
using Granary.Hosting.Tls;
using Orleans.Configuration;

namespace Granary.Deploy.Tests;

/// <summary>
/// The configuration keys each host reads, for checking environment variables
/// (<c>Granary__Silo__SiloPort</c> = <c>Granary:Silo:SiloPort</c>). Sourced by reflection from the
/// options classes the hosts bind (settable public properties under their section), from the
/// <c>const string</c> keys of Granary.PostgreSql, and from the gateway's <c>appsettings.json</c>
/// for <c>ReverseProxy</c> overrides; the few keys with no options class are listed here explicitly.
/// </summary>
internal sealed class ConfigurationKeys
{
    /// <summary>Host-level variables the .NET images and ASP.NET read (not configuration-bound).</summary>
    private static readonly string[] HostVariables =
    [
        "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT",
    ];

    /// <summary>Variables the official postgres image reads (https://hub.docker.com/_/postgres).</summary>
    private static readonly string[] PostgresImageVariables =
    [
        "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "POSTGRES_INITDB_ARGS", "PGDATA",
    ];

    /// <summary>Issue 3 names the cluster with this key (default "granary"); added here in case no constant declares it.</summary>
    public const string ClusterIdKey = "Granary:ClusterId";

    private readonly HashSet<string> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _lists = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _variables = new(StringComparer.Ordinal);
    private readonly JsonElement? _appSettings;

    private ConfigurationKeys(JsonElement? appSettings) => _appSettings = appSettings;

    /// <summary>Every exact key (for diagnostics and README checks).</summary>
    public IReadOnlyCollection<string> Keys => _exact;

    public static ConfigurationKeys For(ServiceKind kind)
    {
        switch (kind)
        {
            case ServiceKind.Silo:
            {
                var keys = new ConfigurationKeys(null);
                var siloApp = InternalType("Granary.Silo.SiloApp, Granary.Silo");
                var siloSection = Constant(siloApp, "SiloSection");
                keys.AddOptions(InternalType("Granary.Silo.GranarySiloOptions, Granary.Silo"), siloSection);
                keys.AddOptions(InternalType("Granary.Silo.SiloHttpOptions, Granary.Silo"), siloSection);
                keys.AddOptions(typeof(BucketPersistenceOptions), siloSection);
                keys.AddOptions(typeof(ClusterMembershipOptions), Constant(InternalType("Granary.Silo.SiloMembership, Granary.Silo"), "Section"));
                keys.AddOptions(typeof(ClientDefaultsOptions), Constant(siloApp, "RateLimitSection"));
                keys.AddOptions(typeof(GranaryTlsOptions), GranaryTlsOptions.Section);
                keys.AddPostgreSql();
                keys.AddHost();
                return keys;
            }
            case ServiceKind.Gateway:
            {
                var keys = new ConfigurationKeys(LoadJson(RepoPaths.Combine("src/Gateway/appsettings.json")));
                foreach (var name in new[] { "Granary.Gateway.Configuration.GatewayOptions", "Granary.Gateway.Configuration.RateLimitOptions" })
                {
                    var type = InternalType(name + ", Granary.Gateway");
                    keys.AddOptions(type, Constant(type, "Section"));
                }
                var client = InternalType("Granary.Gateway.Cluster.GatewayClientOptions, Granary.Gateway");
                keys.AddOptions(client, Constant(client, "Section"));
                keys.AddOptions(typeof(GranaryTlsOptions), GranaryTlsOptions.Section);
                keys.AddPostgreSql();
                keys.AddHost();
                return keys;
            }
            case ServiceKind.Backend:
            {
                // The demo backend takes command-line options only.
                var keys = new ConfigurationKeys(null);
                keys.AddHost();
                return keys;
            }
            case ServiceKind.Certificates:
                // The silo's image and binary (`--make-dev-certs DIR NAME...`): the silo's keys, from its image's ENV.
                return For(ServiceKind.Silo);
            case ServiceKind.Postgres:
            {
                var keys = new ConfigurationKeys(null);
                keys._variables.UnionWith(PostgresImageVariables);
                return keys;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "No known configuration for this kind of service.");
        }
    }

    /// <summary>Whether the environment variable <paramref name="variable"/> sets something the host reads; <paramref name="why"/> explains a refusal.</summary>
    public bool IsKnownVariable(string variable, out string why)
    {
        why = "";
        if (_variables.Contains(variable)) return true;
        var key = variable.Replace("__", ":", StringComparison.Ordinal);
        if (_exact.Contains(key)) return true;
        var colon = key.LastIndexOf(':');
        if (colon > 0 && _lists.Contains(key[..colon]) && int.TryParse(key[(colon + 1)..], out var index) && index >= 0) return true;
        if (key.StartsWith("Logging:LogLevel:", StringComparison.OrdinalIgnoreCase) && key.Length > "Logging:LogLevel:".Length) return true;
        if (_appSettings is { } json && key.StartsWith("ReverseProxy:", StringComparison.OrdinalIgnoreCase))
        {
            if (ExistsIn(json, key.Split(':'))) return true;
            why = $"{key} overrides no setting of src/Gateway/appsettings.json (a typo, or a destination/cluster that does not exist there)";
            return false;
        }
        why = $"{key} is not a configuration key this host reads (known: {string.Join(", ", _exact.Order(StringComparer.Ordinal))})";
        return false;
    }

    private void AddOptions(Type options, string section)
    {
        foreach (var p in options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
        {
            var key = $"{section}:{p.Name}";
            if (p.PropertyType != typeof(string) && typeof(IEnumerable).IsAssignableFrom(p.PropertyType))
                _lists.Add(key);
            else
                _exact.Add(key);
        }
    }

    /// <summary>Every <c>const string</c> of Granary.PostgreSql that names a configuration key, plus the cluster id.</summary>
    private void AddPostgreSql()
    {
        var consts = typeof(PostgreSqlDefaults).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Where(v => v.StartsWith("Granary:", StringComparison.Ordinal) && !v.EndsWith(':'));
        _exact.UnionWith(consts);
        _exact.Add(PostgreSqlDefaults.ConnectionStringKey);
        _exact.Add(ClusterIdKey);
        // Options classes of Granary.PostgreSql that declare their section, if any.
        foreach (var t in typeof(PostgreSqlDefaults).Assembly.GetTypes().Where(t => t.Name.EndsWith("Options", StringComparison.Ordinal)))
        {
            if (t.GetField("Section", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static) is { IsLiteral: true } f)
                AddOptions(t, (string)f.GetRawConstantValue()!);
        }
    }

    private void AddHost() => _variables.UnionWith(HostVariables);

    private static Type InternalType(string assemblyQualifiedName) =>
        Type.GetType(assemblyQualifiedName, throwOnError: true)!;

    private static string Constant(Type type, string field) =>
        (string)(type.GetField(field, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)?.GetRawConstantValue()
            ?? throw new MissingFieldException(type.FullName, field));

    private static JsonElement LoadJson(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return doc.RootElement.Clone();
    }

    private static bool ExistsIn(JsonElement element, IReadOnlyList<string> path)
    {
        foreach (var segment in path)
        {
            if (element.ValueKind != JsonValueKind.Object) return false;
            JsonElement? next = null;
            foreach (var property in element.EnumerateObject())
            {
                if (property.Name.Equals(segment, StringComparison.OrdinalIgnoreCase))
                {
                    next = property.Value;
                    break;
                }
            }
            if (next is null) return false;
            element = next.Value;
        }
        return element.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array);
    }
}
