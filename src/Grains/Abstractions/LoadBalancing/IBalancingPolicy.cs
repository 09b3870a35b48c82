namespace Granary.Grains.LoadBalancing;

/// <summary>
/// Chooses one destination among healthy candidates (YARP: <c>ILoadBalancingPolicy</c>). One
/// instance serves one cluster on one gateway and may keep state (round robin position);
/// implementations are thread-safe.
/// </summary>
public interface IBalancingPolicy
{
    /// <summary>The policy's name, one of <see cref="BalancingPolicyNames"/>.</summary>
    string Name { get; }

    /// <summary>Returns the index of the chosen candidate.</summary>
    /// <param name="candidates">Healthy destinations, at least one, in a stable order (by destination id).</param>
    /// <param name="hashKey">The request's client id, used by <see cref="BalancingPolicyNames.ConsistentHash"/>; others ignore it.</param>
    int Pick(ReadOnlySpan<DestinationLoad> candidates, string? hashKey);
}
