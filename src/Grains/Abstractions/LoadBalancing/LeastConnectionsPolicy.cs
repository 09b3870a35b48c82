namespace Granary.Grains.LoadBalancing;

/// <summary>
/// The candidate with the fewest cluster-wide in-flight requests per unit of weight
/// (<c>InFlight / Weight</c>, compared by cross-multiplication), ties broken uniformly at random
/// (reservoir sampling), as nginx's <c>least_conn</c> with weights.
/// </summary>
internal sealed class LeastConnectionsPolicy(Random random) : IBalancingPolicy
{
    public string Name => BalancingPolicyNames.LeastConnections;

    public int Pick(ReadOnlySpan<DestinationLoad> candidates, string? hashKey)
    {
        if (candidates.Length <= 1)
            return 0;
        var best = 0;
        var ties = 1;
        for (var i = 1; i < candidates.Length; i++)
        {
            var order = PolicyRandom.CompareLoad(candidates[i], candidates[best]);
            if (order < 0)
            {
                best = i;
                ties = 1;
            }
            else if (order == 0 && PolicyRandom.Next(random, ++ties) == 0)
            {
                best = i;
            }
        }
        return best;
    }
}
