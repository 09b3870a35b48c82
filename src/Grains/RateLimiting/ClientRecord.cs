namespace Granary.Grains.RateLimiting;

/// <summary>A client's registered limits (a row of the client registry, an item of the admin API).</summary>
/// <param name="ClientId">The client id (the <c>X-Client-ID</c> value), 1–1024 characters.</param>
/// <param name="Capacity">Bucket capacity (burst), tokens; 1 to 1,000,000,000.</param>
/// <param name="RatePerSec">Refill rate, tokens/s; greater than 0, at most 1,000,000,000.</param>
/// <param name="CreatedAt">When the client was created (registry clock, UTC).</param>
/// <param name="UpdatedAt">When its limits last changed (registry clock, UTC).</param>
public sealed record ClientRecord(string ClientId, long Capacity, double RatePerSec, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>The limits as a grain message.</summary>
    public Contracts.ClientLimits Limits => new(Capacity, RatePerSec);
}
