using Granary.Grains.RateLimiting;
using Granary.PostgreSql.Clients;
using Granary.PostgreSql.Migrations;
using Granary.PostgreSql.Storage;
using Granary.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Granary.PostgreSql.Hosting;

/// <summary>Registers the PostgreSQL grain storage, client registry and schema migrations in a silo host.</summary>
public static class PostgreSqlServiceCollectionExtensions
{
    /// <summary>
    /// Makes the silo keep grain state and the client registry in PostgreSQL and migrate the schema at start-up.
    /// </summary>
    /// <remarks>
    /// <para><b>Call order:</b> call this BEFORE <c>AddGranarySilo</c> and <c>AddGranaryGrains</c>. The
    /// storage and registry registrations replace any existing ones (so they win either way, since those
    /// methods only TryAdd), but the migration service must be the first hosted service registered so the
    /// schema exists before membership, the catalog or grains touch the database.</para>
    /// <para>Registers (singletons): <see cref="NpgsqlDataSource"/> for <paramref name="connectionString"/>
    /// (pooled, logging through the host's <see cref="ILoggerFactory"/>; TryAdd, so one registered earlier for
    /// the same database is kept), <see cref="PostgreSqlMigrator"/>, a hosted lifecycle service that runs
    /// <see cref="PostgreSqlMigrator.MigrateAsync(string, CancellationToken)"/> in <c>StartingAsync</c> (before any
    /// hosted service's <c>StartAsync</c>; a failure fails start-up), <see cref="PostgreSqlGrainStorage"/> as
    /// <see cref="IGrainStorage"/> and <see cref="IBatchedGrainStorage"/>, and <see cref="PostgreSqlClientRegistry"/>
    /// as <see cref="IClientRegistry"/>. Calling it twice registers the migration service once.</para>
    /// </remarks>
    /// <param name="services">The silo's services.</param>
    /// <param name="connectionString">Npgsql connection string of the Granary database (config key <see cref="PostgreSqlDefaults.ConnectionStringKey"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or not a valid Npgsql connection string.</exception>
    public static IServiceCollection AddGranaryPostgreSqlStorage(this IServiceCollection services, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        _ = new NpgsqlConnectionStringBuilder(connectionString); // throws ArgumentException on a malformed string, at configuration time

        services.AddLogging();
        services.TryAddSingleton(sp => new NpgsqlDataSourceBuilder(connectionString)
            .UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>())
            .Build());
        services.TryAddSingleton(sp => new PostgreSqlMigrator(sp.GetRequiredService<ILogger<PostgreSqlMigrator>>()));
        if (!services.Any(d => d.ServiceType == typeof(PostgreSqlMigrationService)))
        {
            services.AddSingleton(sp => new PostgreSqlMigrationService(sp.GetRequiredService<PostgreSqlMigrator>(), connectionString));
            services.AddHostedService(sp => sp.GetRequiredService<PostgreSqlMigrationService>());
        }

        services.RemoveAll<PostgreSqlGrainStorage>();
        services.AddSingleton(sp => new PostgreSqlGrainStorage(sp.GetRequiredService<NpgsqlDataSource>()));
        services.Replace(ServiceDescriptor.Singleton<IGrainStorage>(sp => sp.GetRequiredService<PostgreSqlGrainStorage>()));
        services.Replace(ServiceDescriptor.Singleton<IBatchedGrainStorage>(sp => sp.GetRequiredService<PostgreSqlGrainStorage>()));
        services.Replace(ServiceDescriptor.Singleton<IClientRegistry>(sp => new PostgreSqlClientRegistry(sp.GetRequiredService<NpgsqlDataSource>())));
        return services;
    }
}
