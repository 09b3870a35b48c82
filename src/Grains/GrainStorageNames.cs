namespace Granary.Grains;

/// <summary>The names of the Orleans grain storage providers Granary's grains use.</summary>
public static class GrainStorageNames
{
    /// <summary>
    /// The storage of client buckets: <c>"granary"</c>. The silo registers it as ADO.NET storage on
    /// PostgreSQL when a connection string is set, else as Orleans's memory storage.
    /// </summary>
    public const string Default = "granary";
}
