namespace Granary.Grains.LoadBalancing;

/// <summary>Creates policies by name.</summary>
public static class BalancingPolicyFactory
{
    /// <summary>Creates a new instance of the named policy (case-sensitive, one of <see cref="BalancingPolicyNames.All"/>).</summary>
    /// <param name="name">Policy name.</param>
    /// <param name="random">Random source for the randomized policies (inject a seeded one in tests). Used thread-safely: <see cref="System.Random.Shared"/> as is, any other instance under a lock on itself.</param>
    /// <exception cref="ArgumentException">Unknown name; the message lists the valid ones.</exception>
    public static IBalancingPolicy Create(string name, Random random)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(random);
        return name switch
        {
            BalancingPolicyNames.RoundRobin => new RoundRobinPolicy(),
            BalancingPolicyNames.LeastConnections => new LeastConnectionsPolicy(random),
            BalancingPolicyNames.PowerOfTwoChoices => new PowerOfTwoChoicesPolicy(random),
            BalancingPolicyNames.Random => new RandomPolicy(random),
            BalancingPolicyNames.LeastTime => new LeastTimePolicy(random),
            BalancingPolicyNames.ConsistentHash => new ConsistentHashPolicy(random),
            _ => throw new ArgumentException(
                $"Unknown balancing policy '{name}'. Valid policies: {string.Join(", ", BalancingPolicyNames.All)}.", nameof(name)),
        };
    }
}
