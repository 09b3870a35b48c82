namespace Granary.Grains.RateLimiting;

/// <summary>
/// The persisted part of a client grain (<see cref="ClientGrain"/>): its bucket's tokens at a
/// wall-clock instant, and its counters. Limits are not here: they live in the client registry.
/// Stored by Orleans's grain storage (<see cref="GrainStorageNames.Default"/>, state name
/// <see cref="ClientGrain.StateName"/>) with Orleans's serializer; the <c>[Id]</c>s are the stored
/// format: never renumber, only add.
/// </summary>
/// <param name="Tokens">Tokens in the bucket at <paramref name="UpdatedAtUnixMs"/>, fractional, ≥ 0.</param>
/// <param name="UpdatedAtUnixMs">When <paramref name="Tokens"/> was read: Unix time, ms (wall clock, <see cref="TimeProvider.GetUtcNow"/>), so another silo can refill for the time elapsed since.</param>
/// <param name="Admitted">Requests admitted since the client's grain first activated.</param>
/// <param name="Rejected">Requests rejected since the client's grain first activated.</param>
[GenerateSerializer, Immutable, Alias("granary.ClientBucketState")]
public sealed record ClientBucketState(
    [property: Id(0)] double Tokens,
    [property: Id(1)] long UpdatedAtUnixMs,
    [property: Id(2)] long Admitted,
    [property: Id(3)] long Rejected);
