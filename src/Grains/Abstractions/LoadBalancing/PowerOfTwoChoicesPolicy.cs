namespace Granary.Grains.LoadBalancing;

/// <summary>
/// Power of two choices (Mitzenmacher, 2001; YARP's <c>PowerOfTwoChoices</c>): two distinct
/// candidates drawn uniformly at random, the one with fewer in-flight requests per unit of weight
/// wins; a tie goes to either at random.
/// </summary>
internal sealed class PowerOfTwoChoicesPolicy(Random random) : IBalancingPolicy
{
    public string Name => BalancingPolicyNames.PowerOfTwoChoices;

    public int Pick(ReadOnlySpan<DestinationLoad> candidates, string? hashKey)
    {
        if (candidates.Length <= 1)
            return 0;
        var first = PolicyRandom.Next(random, candidates.Length);
        var second = PolicyRandom.Next(random, candidates.Length - 1);
        if (second >= first)
            second++;
        var order = PolicyRandom.CompareLoad(candidates[first], candidates[second]);
        return order < 0 ? first
            : order > 0 ? second
            : PolicyRandom.Next(random, 2) == 0 ? first : second;
    }
}
