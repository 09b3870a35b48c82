namespace Granary.Grains.LoadBalancing;

/// <summary>
/// Weighted rendezvous hashing of the hash key (the client id) over the candidates' destination
/// ids: each candidate scores <c>−Weight / ln(h)</c>, where <c>h</c> in (0, 1) comes from a stable
/// 64-bit hash of (key, destination id) (FNV-1a 64 mixed with SplitMix64,
/// <see cref="RendezvousHash"/>), and the highest score wins. This is the weighted form of
/// Thaler and Ravishankar's highest random weight (Schindelhauer and Schomaker, "Weighted
/// distributed hash tables", SPAA 2005): a key stays on its destination while that destination is a
/// candidate, a destination leaving moves only its own keys, and each destination's share of keys
/// is proportional to its weight. A null key falls back to a uniform random pick.
/// </summary>
internal sealed class ConsistentHashPolicy(Random random) : IBalancingPolicy
{
    public string Name => BalancingPolicyNames.ConsistentHash;

    public int Pick(ReadOnlySpan<DestinationLoad> candidates, string? hashKey)
    {
        if (candidates.Length <= 1)
            return 0;
        if (hashKey is null)
            return PolicyRandom.Next(random, candidates.Length);
        var keyHash = RendezvousHash.Mix(RendezvousHash.Fnv1a(RendezvousHash.Fnv1aOffset, hashKey));
        var best = 0;
        var bestScore = double.NegativeInfinity;
        for (var i = 0; i < candidates.Length; i++)
        {
            var score = Score(keyHash, candidates[i]);
            // Ties (astronomically rare) go to the smaller id so every gateway agrees whatever the order.
            if (score > bestScore || (score == bestScore && string.CompareOrdinal(candidates[i].DestinationId, candidates[best].DestinationId) < 0))
            {
                best = i;
                bestScore = score;
            }
        }
        return best;
    }

    internal static double Score(ulong keyHash, in DestinationLoad d)
    {
        var destinationHash = RendezvousHash.Fnv1a(RendezvousHash.Fnv1aOffset, d.DestinationId);
        var h = RendezvousHash.Mix(keyHash ^ destinationHash);
        // The top 53 bits as a double strictly inside (0, 1).
        var unit = ((h >> 11) + 0.5) / (1UL << 53);
        return -PolicyRandom.Weight(d) / Math.Log(unit);
    }
}
