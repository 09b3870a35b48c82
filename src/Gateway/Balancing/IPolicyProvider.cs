using Granary.Grains.LoadBalancing;

namespace Granary.Gateway.Balancing;

/// <summary>Creates a balancing policy by (canonical) name; replaced by fakes in tests.</summary>
internal interface IPolicyProvider
{
    IBalancingPolicy Create(string name);
}
