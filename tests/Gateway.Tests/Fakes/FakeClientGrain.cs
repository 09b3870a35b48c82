using Granary.Grains.Contracts;

namespace Granary.Gateway.Tests.Fakes;

internal sealed class FakeClientGrain : IClientGrain
{
    private int _calls;

    public Func<AcquireTokens, ValueTask<RateLimitDecision>>? Behavior { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    public ValueTask<RateLimitDecision> TryAcquireAsync(AcquireTokens request)
    {
        Interlocked.Increment(ref _calls);
        return Behavior?.Invoke(request) ?? ValueTask.FromResult(new RateLimitDecision(true, 10, 9, 0, 1));
    }

    public Func<LeaseTokens, ValueTask<TokenLease>>? LeaseBehavior { get; set; }

    public System.Collections.Concurrent.ConcurrentQueue<LeaseTokens> Leases { get; } = new();

    public ValueTask<TokenLease> LeaseTokensAsync(LeaseTokens request)
    {
        Leases.Enqueue(request);
        return LeaseBehavior?.Invoke(request) ?? ValueTask.FromResult(new TokenLease(request.Requested, 1000, 900, 1, 0));
    }

    public ValueTask SetLimitsAsync(ClientLimits limits) => ValueTask.CompletedTask;

    public ValueTask ResetLimitsAsync() => ValueTask.CompletedTask;

    public ValueTask<ClientGrainState> GetStateAsync() => ValueTask.FromResult(new ClientGrainState("x", 10, 1, 10, 0, 0, "default"));
}
