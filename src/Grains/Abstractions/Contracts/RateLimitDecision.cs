namespace Granary.Grains.Contracts;

/// <summary>
/// The answer of <see cref="IClientGrain.TryAcquireAsync"/>, with what the gateway needs for the
/// <c>RateLimit-Limit</c>, <c>RateLimit-Remaining</c>, <c>RateLimit-Reset</c> and <c>Retry-After</c> headers.
/// </summary>
/// <param name="Admitted">True when the tokens were taken.</param>
/// <param name="Limit">Bucket capacity, tokens.</param>
/// <param name="Remaining">Whole tokens left after this decision.</param>
/// <param name="RetryAfterSeconds">When rejected: seconds until enough tokens have refilled (at least 1); 0 when admitted.</param>
/// <param name="ResetSeconds">Seconds until the bucket is full again (0 when full).</param>
[GenerateSerializer, Immutable, Alias("granary.RateLimitDecision")]
public readonly record struct RateLimitDecision([property: Id(0)] bool Admitted, [property: Id(1)] long Limit, [property: Id(2)] long Remaining, [property: Id(3)] int RetryAfterSeconds, [property: Id(4)] int ResetSeconds);
