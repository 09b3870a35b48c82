namespace Granary.Grains.LoadBalancing;

/// <summary>The built-in policy names, as written in a cluster's <c>Metadata["Granary.Policy"]</c>.</summary>
public static class BalancingPolicyNames
{
    /// <summary>Smooth weighted round robin (nginx's algorithm), per gateway.</summary>
    public const string RoundRobin = nameof(RoundRobin);

    /// <summary>Fewest cluster-wide in-flight requests relative to weight; ties broken at random.</summary>
    public const string LeastConnections = nameof(LeastConnections);

    /// <summary>Two random candidates, the less loaded wins (Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing", 2001).</summary>
    public const string PowerOfTwoChoices = nameof(PowerOfTwoChoices);

    /// <summary>Uniformly random.</summary>
    public const string Random = nameof(Random);

    /// <summary>Lowest EWMA latency × (in-flight + 1), as Finagle's peak-EWMA and nginx's least_time.</summary>
    public const string LeastTime = nameof(LeastTime);

    /// <summary>Weighted rendezvous hashing of the client id over the candidates: a client sticks to one destination while it is healthy.</summary>
    public const string ConsistentHash = nameof(ConsistentHash);

    /// <summary>Every built-in name.</summary>
    public static IReadOnlyList<string> All { get; } = [RoundRobin, LeastConnections, PowerOfTwoChoices, Random, LeastTime, ConsistentHash];
}
