namespace Granary.Grains.Contracts;

/// <summary>The live state of a client grain (admin API, dashboard).</summary>
/// <param name="ClientId">The client id (grain key).</param>
/// <param name="Capacity">Bucket capacity, tokens.</param>
/// <param name="RatePerSec">Refill rate, tokens/s.</param>
/// <param name="Tokens">Tokens in the bucket now (after lazy refill), fractional.</param>
/// <param name="Admitted">Requests admitted since activation.</param>
/// <param name="Rejected">Requests rejected since activation.</param>
/// <param name="LimitsSource"><c>"registry"</c> when the limits come from the client registry, <c>"default"</c> otherwise.</param>
[GenerateSerializer, Immutable, Alias("granary.ClientGrainState")]
public sealed record ClientGrainState([property: Id(0)] string ClientId, [property: Id(1)] long Capacity, [property: Id(2)] double RatePerSec, [property: Id(3)] double Tokens, [property: Id(4)] long Admitted, [property: Id(5)] long Rejected, [property: Id(6)] string LimitsSource);
