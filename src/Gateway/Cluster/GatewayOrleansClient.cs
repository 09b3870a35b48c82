using Granary.Hosting.Tls;
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

    /// <summary>The TLS options of <paramref name="configuration"/> (<see cref="GranaryTlsOptions.Section"/>).</summary>
    public static GranaryTlsOptions TlsOptions(IConfiguration configuration) =>
        configuration.GetSection(GranaryTlsOptions.Section).Get<GranaryTlsOptions>() ?? new GranaryTlsOptions();

    /// <summary>
    /// The problems of the client's configuration, each naming its key: <paramref name="options"/>
    /// (<see cref="GatewayClientOptions.Validate"/>); the TLS options, whose files must load
    /// (<see cref="ClusterTls.Load"/>); and, without TLS, the loopback rule: every static gateway endpoint must be a
    /// loopback address (with PostgreSQL clustering the endpoints come from the membership table, where the silos
    /// advertise what they listen on, and a silo beyond loopback has TLS or does not start).
    /// </summary>
    public static IEnumerable<string> Validate(IConfiguration configuration, GatewayClientOptions options)
    {
        var usesPostgreSql = configuration[PostgreSqlConnectionStringKey] is { Length: > 0 };
        var problems = options.Validate(usesPostgreSql).ToList();
        foreach (var problem in problems)
            yield return problem;
        var tls = TlsOptions(configuration);
        var tlsProblems = tls.Validate().ToList();
        foreach (var problem in tlsProblems)
            yield return problem;
        if (tls.Enabled)
        {
            if (tlsProblems.Count == 0 && LoadTls(tls) is { Error: { } error })
                yield return error;
        }
        else if (!usesPostgreSql && problems.Count == 0 && !ClusterTls.AllLoopback(options.ResolvedGateways))
        {
            yield return $"{GatewayClientOptions.Section}:{nameof(GatewayClientOptions.Gateways)} ({string.Join(", ", options.ResolvedGateways)}) reaches beyond loopback, " +
                $"which needs mutual TLS: set {GranaryTlsOptions.Section}:{nameof(GranaryTlsOptions.CertificatePath)}, {GranaryTlsOptions.Section}:{nameof(GranaryTlsOptions.KeyPath)} " +
                $"and {GranaryTlsOptions.Section}:{nameof(GranaryTlsOptions.CaPath)} (the silos' CA), or use loopback addresses.";
        }
    }

    private static (ClusterTls? Tls, string? Error) LoadTls(GranaryTlsOptions options)
    {
        try
        {
            return (ClusterTls.Load(options), null);
        }
        catch (InvalidOperationException e)
        {
            return (null, e.Message);
        }
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
        services.AddSingleton<TlsRefusal>();
        services.AddOptions<GatewayClientOptions>().Bind(configuration.GetSection(GatewayClientOptions.Section));
        services.AddHostedService<ClusterConnector>();
    }

    /// <summary>
    /// Mutual TLS on the connections to the silos' gateway ports when <c>Granary:Tls:CertificatePath</c> is set
    /// (Microsoft.Orleans.Connections.Security, <see cref="ClusterTls.Configure"/>: this gateway's certificate, and the
    /// silo's accepted only when it chains to the configured CA). A silo that refuses this gateway's certificate makes the
    /// gateway stop at start-up (<see cref="ConnectRetryFilter"/>, <see cref="ClusterConnector"/>).
    /// </summary>
    private static void ConfigureTransportSecurity(IClientBuilder client, IConfiguration configuration)
    {
        var options = TlsOptions(configuration);
        if (!options.Enabled)
            return;
        // Validate loaded the files already; a failure here means they changed in between.
        var (tls, error) = LoadTls(options);
        if (tls is null)
            throw new Configuration.GatewayConfigurationException(error!);
        client.UseTls(tls.Configure);
        client.Services.AddSingleton(tls);
    }
}
