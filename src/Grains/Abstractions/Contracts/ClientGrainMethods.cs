namespace Granary.Grains.Contracts;

/// <summary>
/// Wire method ids of <see cref="IClientGrain"/> (the <c>methodId</c> of a grain call). Stable:
/// never renumber, only add.
/// </summary>
public static class ClientGrainMethods
{
    /// <summary><see cref="IClientGrain.TryAcquireAsync"/>: <see cref="AcquireTokens"/> → <see cref="RateLimitDecision"/>.</summary>
    public const ushort TryAcquire = 1;

    /// <summary><see cref="IClientGrain.SetLimitsAsync"/>: <see cref="ClientLimits"/> → <c>Empty</c>.</summary>
    public const ushort SetLimits = 2;

    /// <summary><see cref="IClientGrain.ResetLimitsAsync"/>: <c>Empty</c> → <c>Empty</c>.</summary>
    public const ushort ResetLimits = 3;

    /// <summary><see cref="IClientGrain.GetStateAsync"/>: <c>Empty</c> → <see cref="ClientGrainState"/>.</summary>
    public const ushort GetState = 4;

    /// <summary><see cref="IClientGrain.LeaseTokensAsync"/>: <see cref="LeaseTokens"/> → <see cref="TokenLease"/>.</summary>
    public const ushort LeaseTokens = 5;
}
