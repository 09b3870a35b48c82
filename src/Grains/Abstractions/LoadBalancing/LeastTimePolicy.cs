namespace Granary.Grains.LoadBalancing;

/// <summary>
/// The candidate with the lowest expected wait, <c>max(EwmaLatencyMs, 1) × (InFlight + 1) / Weight</c>:
/// the cost of Finagle's peak-EWMA balancer, and the idea of nginx Plus's <c>least_time</c>. The
/// 1 ms floor keeps a destination with no samples yet (EWMA 0) from scoring 0 however loaded it is,
/// while still making it attractive to try. Ties are broken uniformly at random.
/// </summary>
internal sealed class LeastTimePolicy(Random random) : IBalancingPolicy
{
    /// <summary>The latency floor, ms.</summary>
    public const double MinLatencyMs = 1;

    public string Name => BalancingPolicyNames.LeastTime;

    public int Pick(ReadOnlySpan<DestinationLoad> candidates, string? hashKey)
    {
        if (candidates.Length <= 1)
            return 0;
        var best = 0;
        var bestCost = Cost(candidates[0]);
        var ties = 1;
        for (var i = 1; i < candidates.Length; i++)
        {
            var cost = Cost(candidates[i]);
            if (cost < bestCost)
            {
                best = i;
                bestCost = cost;
                ties = 1;
            }
            else if (cost == bestCost && PolicyRandom.Next(random, ++ties) == 0)
            {
                best = i;
            }
        }
        return best;
    }

    internal static double Cost(in DestinationLoad d)
    {
        var latency = double.IsFinite(d.EwmaLatencyMs) ? Math.Max(d.EwmaLatencyMs, MinLatencyMs) : double.MaxValue;
        return latency * (Math.Max(0, d.InFlight) + 1) / PolicyRandom.Weight(d);
    }
}
