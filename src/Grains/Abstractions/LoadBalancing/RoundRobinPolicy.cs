using System.Runtime.InteropServices;

namespace Granary.Grains.LoadBalancing;

/// <summary>
/// Smooth weighted round robin, nginx's algorithm (<c>ngx_http_upstream_get_peer</c> in
/// <c>ngx_http_upstream_round_robin.c</c>): on every pick each candidate's current weight grows by
/// its weight, the candidate with the largest current weight wins (the first one on a tie) and
/// loses the total weight. Weights 5, 1, 1 give <c>a a b a c a a</c>: proportional and interleaved.
/// Current weights are kept per destination id, so a destination that leaves the candidate set
/// (unhealthy) and comes back keeps its place; entries of long-gone ids are pruned.
/// </summary>
internal sealed class RoundRobinPolicy : IBalancingPolicy
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _current = new(StringComparer.Ordinal);

    public string Name => BalancingPolicyNames.RoundRobin;

    public int Pick(ReadOnlySpan<DestinationLoad> candidates, string? hashKey)
    {
        if (candidates.Length <= 1)
            return 0;
        lock (_gate)
        {
            if (_current.Count > (candidates.Length * 2) + 16)
                Prune(candidates);
            long total = 0;
            var best = -1;
            long bestWeight = 0;
            for (var i = 0; i < candidates.Length; i++)
            {
                var weight = PolicyRandom.Weight(candidates[i]);
                total += weight;
                ref var current = ref CollectionsMarshal.GetValueRefOrAddDefault(_current, candidates[i].DestinationId, out _);
                current += weight;
                if (best < 0 || current > bestWeight)
                {
                    best = i;
                    bestWeight = current;
                }
            }
            CollectionsMarshal.GetValueRefOrNullRef(_current, candidates[best].DestinationId) -= total;
            return best;
        }
    }

    private void Prune(ReadOnlySpan<DestinationLoad> candidates)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in candidates)
            keep.Add(c.DestinationId);
        foreach (var id in _current.Keys)
        {
            if (!keep.Contains(id))
                _current.Remove(id);
        }
    }
}
