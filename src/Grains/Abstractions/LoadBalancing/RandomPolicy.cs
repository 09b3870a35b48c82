namespace Granary.Grains.LoadBalancing;

/// <summary>A candidate drawn uniformly at random (weights ignored).</summary>
internal sealed class RandomPolicy(Random random) : IBalancingPolicy
{
    public string Name => BalancingPolicyNames.Random;

    public int Pick(ReadOnlySpan<DestinationLoad> candidates, string? hashKey) =>
        candidates.Length <= 1 ? 0 : PolicyRandom.Next(random, candidates.Length);
}
