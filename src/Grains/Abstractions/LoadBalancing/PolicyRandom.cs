namespace Granary.Grains.LoadBalancing;

/// <summary>
/// Thread-safe draws from an injected <see cref="Random"/>: <see cref="Random.Shared"/> is already
/// thread-safe; any other instance (a seeded one in tests, possibly shared by several policies)
/// is locked on itself for the draw.
/// </summary>
internal static class PolicyRandom
{
    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public static int Next(Random random, int maxExclusive)
    {
        if (ReferenceEquals(random, Random.Shared))
            return random.Next(maxExclusive);
        lock (random)
            return random.Next(maxExclusive);
    }

    /// <summary>Compares loads <c>InFlight / Weight</c> without division: negative when <paramref name="a"/> is less loaded.</summary>
    public static int CompareLoad(in DestinationLoad a, in DestinationLoad b) =>
        (a.InFlight * (long)Weight(b)).CompareTo(b.InFlight * (long)Weight(a));

    /// <summary>The weight, at least 1.</summary>
    public static int Weight(in DestinationLoad d) => Math.Max(1, d.Weight);
}
