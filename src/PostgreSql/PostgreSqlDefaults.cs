namespace Granary.PostgreSql;

/// <summary>Names shared by the PostgreSQL providers.</summary>
public static class PostgreSqlDefaults
{
    /// <summary>Configuration key of the connection string; when set, silos and gateways use PostgreSQL.</summary>
    public const string ConnectionStringKey = "Granary:PostgreSql:ConnectionString";
}
