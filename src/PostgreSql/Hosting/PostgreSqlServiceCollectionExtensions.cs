using Granary.Grains.RateLimiting;
using Granary.PostgreSql.Clients;
using Granary.PostgreSql.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Granary.PostgreSql.Hosting;

/// <summary>
/// Registers Granary's own PostgreSQL pieces (schema migrations and the client registry) in a host's services.
/// Orleans's providers (clustering, grain storage) are configured on the silo builder by
/// <see cref="PostgreSqlSiloBuilderExtensions.UseGranaryPostgreSql"/>, which calls this.
/// </summary>
public static class PostgreSqlServiceCollectionExtensions
{
    /// <summary>
    /// Makes the host migrate the Granary database at start-up and keep the client registry in it.
    /// </summary>
    /// <remarks>
    /// <para>Registers (singletons): <see cref="NpgsqlDataSource"/> for <paramref name="connectionString"/> (pooled,
    /// logging through the host's <see cref="ILoggerFactory"/>; TryAdd, so one registered earlier is kept),
    /// <see cref="PostgreSqlMigrator"/>, and <see cref="PostgreSqlClientRegistry"/> as <see cref="IClientRegistry"/>
    /// (replacing any registered earlier, such as the in-memory one). It also adds a hosted lifecycle service that runs
    /// <see cref="PostgreSqlMigrator.MigrateAsync(string, CancellationToken)"/> in <c>StartingAsync</c>, inserted
    /// before every hosted service already registered: the host runs every <c>StartingAsync</c> before any
    /// <c>StartAsync</c> (Orleans's silo starts in its <c>StartAsync</c>), and this one first among them, so the
    /// schema is current before anything touches the database. A migration failure fails host start-up.</para>
    /// <para>Calling it again adds nothing but the registry's replacement.</para>
    /// </remarks>
    /// <param name="services">The host's services.</param>
    /// <param name="connectionString">Npgsql connection string of the Granary database (config key
    /// <see cref="PostgreSqlDefaults.ConnectionStringKey"/>); the user needs CREATE rights on its public schema.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or not a valid Npgsql connection string.</exception>
    public static IServiceCollection AddGranaryPostgreSql(this IServiceCollection services, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(services);
        ValidateConnectionString(connectionString);

        services.AddLogging();
        services.TryAddSingleton(sp => new NpgsqlDataSourceBuilder(connectionString)
            .UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>())
            .Build());
        services.TryAddSingleton(sp => new PostgreSqlMigrator(sp.GetRequiredService<ILogger<PostgreSqlMigrator>>()));
        if (!services.Any(d => d.ServiceType == typeof(PostgreSqlMigrationService)))
        {
            services.AddSingleton(sp => new PostgreSqlMigrationService(sp.GetRequiredService<PostgreSqlMigrator>(), connectionString));
            var hosted = ServiceDescriptor.Singleton<IHostedService>(sp => sp.GetRequiredService<PostgreSqlMigrationService>());
            var firstHosted = -1;
            for (var i = 0; i < services.Count && firstHosted < 0; i++)
            {
                if (services[i].ServiceType == typeof(IHostedService))
                    firstHosted = i;
            }
            if (firstHosted < 0)
                services.Add(hosted);
            else
                services.Insert(firstHosted, hosted);
        }
        services.Replace(ServiceDescriptor.Singleton<IClientRegistry>(sp => new PostgreSqlClientRegistry(sp.GetRequiredService<NpgsqlDataSource>())));
        return services;
    }

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="connectionString"/> is empty or malformed.</summary>
    internal static void ValidateConnectionString(string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        _ = new NpgsqlConnectionStringBuilder(connectionString); // throws ArgumentException on a malformed string, at configuration time
    }
}
