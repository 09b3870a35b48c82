using Granary.Runtime;
using Granary.Runtime.Invocation;
using Granary.Runtime.Serialization;

namespace Granary.Grains.Contracts;

/// <summary>The typed reference to an <see cref="IClientGrain"/>: each method is one call through the invoker.</summary>
internal sealed class ClientGrainReference(GrainId grainId, IGrainCallInvoker invoker) : GrainReference(grainId, invoker), IClientGrain
{
    public ValueTask<RateLimitDecision> TryAcquireAsync(AcquireTokens request) =>
        Invoker.InvokeAsync<AcquireTokens, RateLimitDecision>(GrainId, ClientGrainMethods.TryAcquire, request);

    public ValueTask<TokenLease> LeaseTokensAsync(LeaseTokens request) =>
        Invoker.InvokeAsync<LeaseTokens, TokenLease>(GrainId, ClientGrainMethods.LeaseTokens, request);

    public async ValueTask SetLimitsAsync(ClientLimits limits) =>
        await Invoker.InvokeAsync<ClientLimits, Empty>(GrainId, ClientGrainMethods.SetLimits, limits).ConfigureAwait(false);

    public async ValueTask ResetLimitsAsync() =>
        await Invoker.InvokeAsync<Empty, Empty>(GrainId, ClientGrainMethods.ResetLimits, Empty.Value).ConfigureAwait(false);

    public ValueTask<ClientGrainState> GetStateAsync() =>
        Invoker.InvokeAsync<Empty, ClientGrainState>(GrainId, ClientGrainMethods.GetState, Empty.Value);
}
