namespace Granary.Grains.Contracts;

/// <summary>A client's token-bucket limits.</summary>
/// <param name="Capacity">Bucket capacity (burst), tokens; 1 to 1,000,000,000.</param>
/// <param name="RatePerSec">Refill rate, tokens/s; greater than 0, at most 1,000,000,000.</param>
[GenerateSerializer, Immutable, Alias("granary.ClientLimits")]
public readonly record struct ClientLimits([property: Id(0)] long Capacity, [property: Id(1)] double RatePerSec)
{
    /// <summary>Largest accepted capacity, tokens.</summary>
    public const long MaxCapacity = 1_000_000_000;

    /// <summary>Largest accepted refill rate, tokens/s.</summary>
    public const double MaxRatePerSec = 1_000_000_000;

    /// <summary>Returns null when valid, else a message naming the bad field (<c>capacity</c> or <c>rate_per_sec</c>).</summary>
    public string? Validate() =>
        Capacity is < 1 or > MaxCapacity ? $"capacity must be an integer from 1 to {MaxCapacity}"
        : !(RatePerSec > 0 && RatePerSec <= MaxRatePerSec) ? $"rate_per_sec must be greater than 0 and at most {MaxRatePerSec}"
        : null;

}
