namespace Granary.Grains.Contracts;

/// <summary>
/// Argument of <see cref="IClientGrain.LeaseTokensAsync"/> (batched rate limiting): a gateway
/// hands back the tokens it leased earlier and did not spend, then asks for up to
/// <paramref name="Requested"/> new ones.
/// </summary>
/// <param name="Requested">Tokens wanted, 0–<see cref="MaxTokens"/> (0 only returns tokens and reads the state).</param>
/// <param name="Returned">Unspent tokens given back, 0–<see cref="MaxTokens"/>; added to the bucket, capped at its capacity.</param>
[GenerateSerializer, Immutable, Alias("granary.LeaseTokens")]
public readonly record struct LeaseTokens([property: Id(0)] int Requested, [property: Id(1)] int Returned)
{
    /// <summary>The most tokens one lease request may ask for or return: 1,000,000.</summary>
    public const int MaxTokens = 1_000_000;

    /// <summary>Null when both counts are within 0–<see cref="MaxTokens"/>, else the problem.</summary>
    public string? Validate() =>
        Requested is < 0 or > MaxTokens ? $"requested must be 0–{MaxTokens}, got {Requested}"
        : Returned is < 0 or > MaxTokens ? $"returned must be 0–{MaxTokens}, got {Returned}"
        : null;

}
