namespace Granary.Grains.RateLimiting;

/// <summary>
/// How client buckets are written to grain storage (configuration section <c>Granary:Silo</c>).
/// Validated at start-up.
/// </summary>
public sealed class BucketPersistenceOptions
{
    /// <summary>The longest accepted write-behind interval, ms: 1000.</summary>
    public const int MaxWriteBehindIntervalMs = 1000;

    /// <summary>
    /// Write-behind interval, ms; 10 to 1000; default 1000. A changed bucket is written at most
    /// this long after its change (and at once on deactivation), so the storage sees at most one
    /// write per active client per interval however many requests the client sends.
    /// </summary>
    public int WriteBehindIntervalMs { get; set; } = MaxWriteBehindIntervalMs;

}
