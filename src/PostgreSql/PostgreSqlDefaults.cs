using Granary.Grains;

namespace Granary.PostgreSql;

/// <summary>Names shared by the PostgreSQL wiring.</summary>
public static class PostgreSqlDefaults
{
    /// <summary>Configuration key of the connection string; when set, silos and gateways use PostgreSQL.</summary>
    public const string ConnectionStringKey = "Granary:PostgreSql:ConnectionString";

    /// <summary>
    /// The name of the Orleans grain storage provider on PostgreSQL: <c>"granary"</c>, the name Granary's grains
    /// persist under (<see cref="GrainStorageNames.Default"/>). Resolve it as the keyed <c>IGrainStorage</c> of that name.
    /// </summary>
    public const string GrainStorageName = GrainStorageNames.Default;

    /// <summary>
    /// The ADO.NET invariant name Orleans's ADO.NET providers load Npgsql by: <c>"Npgsql"</c>
    /// (<c>AdoNetClusteringSiloOptions.Invariant</c>, <c>AdoNetClusteringClientOptions.Invariant</c>,
    /// <c>AdoNetGrainStorageOptions.Invariant</c>).
    /// </summary>
    public const string Invariant = "Npgsql";
}
