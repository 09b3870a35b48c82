using Granary.PostgreSql.Hosting;
using Granary.PostgreSql.Migrations;
using Granary.Runtime.Membership;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Granary.PostgreSql.Membership;

/// <summary>Registers PostgreSQL membership in a silo or a gateway.</summary>
public static class PostgreSqlMembershipServiceCollectionExtensions
{
    /// <summary>
    /// Makes a silo keep cluster membership in PostgreSQL: <see cref="PostgreSqlMembershipTable"/>
    /// (cluster <paramref name="clusterId"/>) as <see cref="IMembershipTable"/>, replacing the
    /// in-memory one whatever the call order relative to <c>AddGranarySilo</c>. The silo's
    /// membership service then joins, heartbeats, follows the view by LISTEN/NOTIFY plus polling,
    /// declares silos with lapsed leases Dead, and fences itself when it cannot renew its own lease.
    /// Also registers (once, shared with <c>AddGranaryPostgreSqlStorage</c>) the schema migration,
    /// run in <c>StartingAsync</c> before any hosted service starts, so the membership tables exist
    /// before the silo joins.
    /// </summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="connectionString">Npgsql connection string (config <c>Granary:PostgreSql:ConnectionString</c>).</param>
    /// <param name="clusterId">The cluster's name (config <see cref="PostgreSqlMembershipDefaults.ClusterIdKey"/>, default <see cref="PostgreSqlMembershipDefaults.DefaultClusterId"/>).</param>
    /// <exception cref="ArgumentException">An argument is empty, or the connection string is malformed.</exception>
    public static IServiceCollection AddGranaryPostgreSqlMembership(this IServiceCollection services, string connectionString, string clusterId)
    {
        ArgumentNullException.ThrowIfNull(services);
        Validate(connectionString, clusterId);
        services.AddLogging();
        services.TryAddSingleton(sp => new PostgreSqlMigrator(sp.GetRequiredService<ILogger<PostgreSqlMigrator>>()));
        if (!services.Any(d => d.ServiceType == typeof(PostgreSqlMigrationService)))
        {
            services.AddSingleton(sp => new PostgreSqlMigrationService(sp.GetRequiredService<PostgreSqlMigrator>(), connectionString));
            services.AddHostedService(sp => sp.GetRequiredService<PostgreSqlMigrationService>());
        }
        AddTable(services, connectionString, clusterId);
        return services;
    }

    /// <summary>
    /// Makes a gateway (any grain client) learn the silos from the PostgreSQL membership table of
    /// cluster <paramref name="clusterId"/> instead of a configured list: registers
    /// <see cref="PostgreSqlMembershipTable"/> as <see cref="IMembershipTable"/> and a hosted
    /// <see cref="MembershipTableViewProvider"/> as <see cref="IMembershipViewProvider"/> (replacing any
    /// earlier one, so <c>AddGranaryClient</c>'s static list is not used whatever the call order).
    /// The view follows NOTIFY at once and polls every 2 s; while the database is unreachable the
    /// last view is kept. The gateway does not migrate the schema (silos do); until the tables
    /// exist its view is empty and it keeps polling.
    /// </summary>
    /// <param name="services">The gateway's services.</param>
    /// <param name="connectionString">Npgsql connection string (config <c>Granary:PostgreSql:ConnectionString</c>).</param>
    /// <param name="clusterId">The cluster's name (config <see cref="PostgreSqlMembershipDefaults.ClusterIdKey"/>).</param>
    /// <exception cref="ArgumentException">An argument is empty, or the connection string is malformed.</exception>
    public static IServiceCollection AddGranaryPostgreSqlMembershipClient(this IServiceCollection services, string connectionString, string clusterId)
    {
        ArgumentNullException.ThrowIfNull(services);
        Validate(connectionString, clusterId);
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        AddTable(services, connectionString, clusterId);
        services.RemoveAll<MembershipTableViewProvider>();
        services.AddSingleton(sp => new MembershipTableViewProvider(
            sp.GetRequiredService<IMembershipTable>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<MembershipTableViewProvider>>()));
        services.Replace(ServiceDescriptor.Singleton<IMembershipViewProvider>(sp => sp.GetRequiredService<MembershipTableViewProvider>()));
        services.AddHostedService(sp => sp.GetRequiredService<MembershipTableViewProvider>());
        return services;
    }

    private static void AddTable(IServiceCollection services, string connectionString, string clusterId)
    {
        services.RemoveAll<PostgreSqlMembershipTable>();
        services.AddSingleton(sp => new PostgreSqlMembershipTable(connectionString, clusterId, sp.GetRequiredService<ILogger<PostgreSqlMembershipTable>>()));
        services.Replace(ServiceDescriptor.Singleton<IMembershipTable>(sp => sp.GetRequiredService<PostgreSqlMembershipTable>()));
    }

    private static void Validate(string connectionString, string clusterId)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        _ = new NpgsqlConnectionStringBuilder(connectionString); // throws ArgumentException when malformed
    }
}
