namespace Granary.Grains.RateLimiting;

/// <summary>
/// The token-bucket limits of clients the registry does not know (configuration section
/// <c>Granary:ClientDefaults</c> by convention of the silo host). Validated at start-up.
/// </summary>
public sealed class ClientDefaultsOptions
{
    /// <summary>Bucket capacity (burst), tokens; 1 to 1,000,000,000; default 100.</summary>
    public long DefaultCapacity { get; set; } = 100;

    /// <summary>Refill rate, tokens/s; greater than 0, at most 1,000,000,000; default 50.</summary>
    public double DefaultRatePerSec { get; set; } = 50;
}
