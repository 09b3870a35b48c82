using Granary.Grains.LoadBalancing;

namespace Granary.Gateway.Balancing;

/// <summary>The built-in policies (<see cref="BalancingPolicyFactory"/>) with a thread-safe random source.</summary>
internal sealed class BuiltInPolicyProvider(Random random) : IPolicyProvider
{
    public IBalancingPolicy Create(string name) => BalancingPolicyFactory.Create(name, random);
}
