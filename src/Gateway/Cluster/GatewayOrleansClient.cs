using Orleans.Configuration;
using OrleansGatewayOptions = Orleans.Configuration.GatewayOptions;

namespace Granary.Gateway.Cluster;

/// <summary>
/// The gateway's Orleans client: <c>builder.UseOrleansClient(...)</c> with Orleans's static clustering
/// (<see cref="GatewayClientOptions.Gateways"/>) or, with <c>Granary:PostgreSql:ConnectionString</c>, Orleans's
/// ADO.NET clustering on PostgreSQL (Invariant <c>Npgsql</c>, the gateway list re-read every
/// <see cref="GatewayClientOptions.GatewayListRefreshMs"/>); cluster id <c>Granary:ClusterId</c> (default
/// <c>granary</c>), service id <c>granary</c>. Orleans's hosted service for the client is removed (its start blocks
/// until a silo answers): the <see cref="ClusterConnector"/> starts the client in the background instead, with the
/// <see cref="ConnectRetryFilter"/>, and <see cref="ClusterConnectionState"/> follows the connections.
/// </summary>
internal static class GatewayOrleansClient
{
    /// <summary>The cluster id key (shared with the silos).</summary>
    public const string ClusterIdKey = "Granary:ClusterId";

    /// <summary>The cluster id when <see cref="ClusterIdKey"/> is not set.</summary>
    public const string DefaultClusterId = "granary";

    /// <summary>Orleans's service id of every Granary cluster.</summary>
    public const string ServiceId = "granary";

    /// <summary>The PostgreSQL connection string key (shared with the silos).</summary>
    public const string PostgreSqlConnectionStringKey = "Granary:PostgreSql:ConnectionString";

    /// <summary>The ADO.NET invariant of Npgsql.</summary>
    public const string NpgsqlInvariant = "Npgsql";

    /// <summary>The cluster id configured, or <see cref="DefaultClusterId"/>.</summary>
    public static string ClusterId(IConfiguration configuration) =>
        configuration[ClusterIdKey] is { Length: > 0 } id ? id.Trim() : DefaultClusterId;

    /// <summary>The key that turns TLS on (Granary.Hosting.Tls), refused on the gateway until it is implemented there.</summary>
    public const string TlsCertificateKey = "Granary:Tls:CertificatePath";

    /// <summary>
    /// The problems of the client's configuration, each naming its key: <paramref name="options"/>
    /// (<see cref="GatewayClientOptions.Validate"/>), and TLS, which the gateway does not implement yet.
    /// </summary>
    public static IEnumerable<string> Validate(IConfiguration configuration, GatewayClientOptions options)
    {
        foreach (var problem in options.Validate(usesPostgreSql: configuration[PostgreSqlConnectionStringKey] is { Length: > 0 }))
            yield return problem;
        if (!string.IsNullOrWhiteSpace(configuration[TlsCertificateKey]))
            yield return $"{TlsCertificateKey} is set, but the gateway does not support TLS on its connection to the silos yet; remove the Granary:Tls keys from the gateway's configuration.";
    }

    /// <summary>Registers the Orleans client and the gateway's connector. Call once, before the grain-calling hosted services (stop runs in reverse).</summary>
    /// <param name="builder">The gateway's builder.</param>
    /// <param name="options">The validated <c>Granary:Client</c> options.</param>
    /// <exception cref="InvalidOperationException">Orleans did not register its client as exactly one hosted service (an Orleans change this code must follow).</exception>
    public static void AddGatewayOrleansClient(this WebApplicationBuilder builder, GatewayClientOptions options)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;
        var postgres = configuration[PostgreSqlConnectionStringKey];
        var clusterId = ClusterId(configuration);
        var target = postgres is { Length: > 0 }
            ? new ClusterTarget($"the PostgreSQL membership table of cluster '{clusterId}'")
            : new ClusterTarget($"static gateways {string.Join(", ", options.ResolvedGateways)}");

        var before = services.Where(static d => d.ServiceType == typeof(IHostedService)).ToList();
        builder.UseOrleansClient(client =>
        {
            if (postgres is { Length: > 0 })
            {
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = NpgsqlInvariant;
                    o.ConnectionString = postgres;
                });
                client.Configure<OrleansGatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromMilliseconds(options.GatewayListRefreshMs));
            }
            else
            {
                var endpoints = options.GatewayEndpoints();
                client.UseStaticClustering(o => o.Gateways = [.. endpoints.Select(static e => e.ToGatewayUri())]);
            }
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = ServiceId;
            });
            client.UseConnectionRetryFilter<ConnectRetryFilter>();
            client.Services.AddSingleton<IClusterConnectionStatusObserver>(static sp => sp.GetRequiredService<ClusterConnectionState>());
            ConfigureTransportSecurity(client, configuration);
        });

        // Orleans's client hosted service blocks the host's start until a silo answers: the ClusterConnector starts the client instead.
        var added = services.Where(d => d.ServiceType == typeof(IHostedService) && !before.Contains(d)).ToList();
        if (added.Count != 1)
            throw new InvalidOperationException($"UseOrleansClient registered {added.Count} hosted services, expected exactly one (the cluster client); the gateway starts the client itself and cannot tell which to replace.");
        services.Remove(added[0]);

        services.AddSingleton(target);
        services.AddOptions<GatewayClientOptions>().Bind(configuration.GetSection(GatewayClientOptions.Section));
        services.AddHostedService<ClusterConnector>();
    }

    /// <summary>
    /// The place for the gateway's transport security on the Orleans gateway connection. TLS is not implemented on
    /// the gateway yet: its configuration is refused at start (<see cref="Validate"/>), so a gateway never connects
    /// in plain text while its operator believes it uses TLS.
    /// </summary>
    private static void ConfigureTransportSecurity(IClientBuilder client, IConfiguration configuration)
    {
        // TODO(tls): mutual TLS on the gateway → silo connection: read Granary:Tls (Granary.Hosting.Tls.GranaryTlsOptions),
        // load it with ClusterTls.Load and call client.UseTls(tls.Configure) here (Microsoft.Orleans.Connections.Security is
        // referenced); bound the wait for a silo that refuses the certificate and name the cause (see DESIGN.md).
        _ = client;
        _ = configuration;
    }
}
