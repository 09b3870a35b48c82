using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace Granary.PostgreSql.Hosting;

/// <summary>Puts an Orleans silo's cluster membership, grain state and Granary's client registry in PostgreSQL.</summary>
public static class PostgreSqlSiloBuilderExtensions
{
    /// <summary>
    /// Configures the silo to use the Granary PostgreSQL database for everything it keeps:
    /// <list type="bullet">
    /// <item>Orleans's ADO.NET clustering (<c>UseAdoNetClustering</c>, invariant <see cref="PostgreSqlDefaults.Invariant"/>):
    /// membership rows of cluster <c>ClusterOptions.ClusterId</c> in <c>granary_orleans_cluster</c> and
    /// <c>granary_orleans_silo</c> (migration V003).</item>
    /// <item>Orleans's ADO.NET grain storage named <see cref="PostgreSqlDefaults.GrainStorageName"/>
    /// (<c>AddAdoNetGrainStorage</c>) in <c>granary_orleans_grain_state</c> (V004), rows keyed by
    /// <c>ClusterOptions.ServiceId</c>, state name and grain key. State is serialized with Orleans's own binary
    /// serializer (<see cref="OrleansGrainStorageSerializer"/>, the <c>[GenerateSerializer]</c>/<c>[Id]</c> format), not
    /// the silo-wide default <c>IGrainStorageSerializer</c>, which is Newtonsoft.Json with .NET type names. A stale etag
    /// on write or clear throws <see cref="InconsistentStateException"/>; clearing keeps the row (payload NULL, version + 1).</item>
    /// <item>Granary's client registry and the start-up migrations:
    /// <see cref="PostgreSqlServiceCollectionExtensions.AddGranaryPostgreSql"/> (the migrations run before the silo starts).</item>
    /// </list>
    /// The silo host still sets <c>ClusterOptions</c> (ClusterId, ServiceId) and the endpoints; a client (gateway) of the
    /// cluster finds the silos with <c>UseAdoNetClustering</c> on its <c>IClientBuilder</c> with the same connection string,
    /// invariant and ClusterId. Calling this twice configures once.
    /// </summary>
    /// <param name="builder">The silo builder (inside <c>UseOrleans</c>).</param>
    /// <param name="connectionString">Npgsql connection string of the Granary database (config key
    /// <see cref="PostgreSqlDefaults.ConnectionStringKey"/>).</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or not a valid Npgsql connection string.</exception>
    public static ISiloBuilder UseGranaryPostgreSql(this ISiloBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        PostgreSqlServiceCollectionExtensions.ValidateConnectionString(connectionString);
        if (builder.Services.Any(d => d.ServiceType == typeof(Marker)))
            return builder;
        builder.Services.AddSingleton<Marker>();

        builder.Services.AddGranaryPostgreSql(connectionString);
        builder.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgreSqlDefaults.Invariant;
            o.ConnectionString = connectionString;
        });
        builder.AddAdoNetGrainStorage(PostgreSqlDefaults.GrainStorageName, (OptionsBuilder<AdoNetGrainStorageOptions> options) =>
            options.Configure<Serializer>((o, serializer) =>
            {
                o.Invariant = PostgreSqlDefaults.Invariant;
                o.ConnectionString = connectionString;
                o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }));
        return builder;
    }

    /// <summary>Records that <see cref="UseGranaryPostgreSql"/> ran on this silo's services.</summary>
    private sealed class Marker;
}
