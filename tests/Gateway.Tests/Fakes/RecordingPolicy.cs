using Granary.Gateway.Balancing;
using Granary.Grains.LoadBalancing;

namespace Granary.Gateway.Tests.Fakes;

/// <summary>Records the candidates it saw and picks the first one (or the one <see cref="Choose"/> says).</summary>
internal sealed class RecordingPolicy(string name = BalancingPolicyNames.LeastConnections) : IBalancingPolicy, IPolicyProvider
{
    public string Name { get; } = name;

    public DestinationLoad[] LastCandidates { get; private set; } = [];

    public string? LastHashKey { get; private set; }

    public Func<DestinationLoad[], int>? Choose { get; set; }

    public int Pick(ReadOnlySpan<DestinationLoad> candidates, string? hashKey)
    {
        LastCandidates = candidates.ToArray();
        LastHashKey = hashKey;
        return Choose?.Invoke(LastCandidates) ?? 0;
    }

    public IBalancingPolicy Create(string policyName) => this;
}
