namespace Granary.Grains.Contracts;

/// <summary>The answer of <see cref="IClientGrain.LeaseTokensAsync"/>: the tokens granted and the bucket's state after the grant.</summary>
/// <param name="Granted">Tokens taken from the bucket for the gateway, 0 to the requested count (never more than the whole tokens the bucket held).</param>
/// <param name="Limit">Bucket capacity, tokens.</param>
/// <param name="Remaining">Whole tokens left in the bucket after the grant (not counting tokens leased to gateways).</param>
/// <param name="ResetSeconds">Seconds until the bucket is full again (0 when full).</param>
/// <param name="NextTokenMs">When fewer tokens were granted than requested: ms until the bucket holds one whole token again (at least 1); 0 otherwise.</param>
[GenerateSerializer, Immutable, Alias("granary.TokenLease")]
public readonly record struct TokenLease([property: Id(0)] int Granted, [property: Id(1)] long Limit, [property: Id(2)] long Remaining, [property: Id(3)] int ResetSeconds, [property: Id(4)] int NextTokenMs);
