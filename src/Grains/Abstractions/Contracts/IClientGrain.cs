namespace Granary.Grains.Contracts;

/// <summary>
/// One per client id (grain type <c>"client"</c>, key = the client id from <c>X-Client-ID</c> or
/// the remote IP). Holds the client's token bucket, so every gateway spends from the same
/// bucket. Limits come from the client registry, else the silo's configured defaults.
/// Calls on the request path time out after <see cref="GrainCallTimeouts.HotPath"/>, the admin calls
/// after <see cref="GrainCallTimeouts.Admin"/>.
/// </summary>
[Alias("granary.IClientGrain")]
public interface IClientGrain : IGrainWithStringKey
{
    /// <summary>Takes <see cref="AcquireTokens.Tokens"/> tokens if available (lazy refill first).</summary>
    /// <returns>The decision with the figures for the <c>RateLimit-*</c> headers.</returns>
    [Alias("TryAcquire"), ResponseTimeout(GrainCallTimeouts.HotPath)]
    ValueTask<RateLimitDecision> TryAcquireAsync(AcquireTokens request);

    /// <summary>
    /// Batched mode (a Doorman-style lease): adds <see cref="LeaseTokens.Returned"/> unspent tokens back
    /// to the bucket (capped at its capacity), then takes up to <see cref="LeaseTokens.Requested"/> whole
    /// tokens, but at most a quarter of the capacity (at least 1), for the calling gateway to spend locally. Never grants more than the bucket holds, so the
    /// long-run rate is exact; tokens held by gateways are outside the bucket (see the gateway's bound).
    /// </summary>
    /// <returns>The grant and the bucket's state after it.</returns>
    /// <exception cref="ArgumentException">A count outside 0–<see cref="LeaseTokens.MaxTokens"/>.</exception>
    [Alias("LeaseTokens"), ResponseTimeout(GrainCallTimeouts.HotPath)]
    ValueTask<TokenLease> LeaseTokensAsync(LeaseTokens request);

    /// <summary>Replaces the limits (admin API). The bucket keeps its tokens, clamped to the new capacity.</summary>
    /// <exception cref="ArgumentException">The limits are invalid (<see cref="ClientLimits.Validate"/>).</exception>
    [Alias("SetLimits"), ResponseTimeout(GrainCallTimeouts.Admin)]
    ValueTask SetLimitsAsync(ClientLimits limits);

    /// <summary>Drops registry limits and goes back to the configured defaults (client deleted).</summary>
    [Alias("ResetLimits"), ResponseTimeout(GrainCallTimeouts.Admin)]
    ValueTask ResetLimitsAsync();

    /// <summary>The live state: limits, tokens now, admitted and rejected counts.</summary>
    [Alias("GetState"), ReadOnly, ResponseTimeout(GrainCallTimeouts.Admin)]
    ValueTask<ClientGrainState> GetStateAsync();
}
