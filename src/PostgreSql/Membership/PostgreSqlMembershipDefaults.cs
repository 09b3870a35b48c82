namespace Granary.PostgreSql.Membership;

/// <summary>Configuration names of PostgreSQL membership.</summary>
public static class PostgreSqlMembershipDefaults
{
    /// <summary>Configuration key naming the cluster in the membership tables: <c>Granary:ClusterId</c>.</summary>
    public const string ClusterIdKey = "Granary:ClusterId";

    /// <summary>The cluster id used when <see cref="ClusterIdKey"/> is not set: <c>granary</c>.</summary>
    public const string DefaultClusterId = "granary";
}
