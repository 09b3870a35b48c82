namespace Granary.Grains.LoadBalancing;

/// <summary>Creates policies by name.</summary>
public static class BalancingPolicyFactory
{
    /// <summary>Creates a new instance of the named policy (case-sensitive, one of <see cref="BalancingPolicyNames.All"/>).</summary>
    /// <param name="name">Policy name.</param>
    /// <param name="random">Random source for the randomized policies (inject a seeded one in tests).</param>
    /// <exception cref="ArgumentException">Unknown name; the message lists the valid ones.</exception>
    public static IBalancingPolicy Create(string name, Random random) => throw new NotImplementedException();
}
