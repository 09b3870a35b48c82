using System.Collections.Frozen;
using Granary.Gateway.Configuration;
using Granary.Grains.LoadBalancing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Granary.Gateway.Balancing;

/// <summary>
/// Grain-backed destination selection for one YARP cluster, built from one version of its config
/// (a new balancer replaces it when the config changes; destination state lives on in the shared
/// <see cref="DestinationEntry"/> objects). <see cref="Select"/> runs on every request: it filters
/// YARP's available destinations to the healthy ones, builds their loads (others' in-flight from
/// the last grain status + this gateway's exact count) in destination-id order, and asks the
/// <see cref="IBalancingPolicy"/> to pick. No LINQ, no locks held beyond one entry read, and the
/// scratch arrays are per thread.
/// </summary>
internal sealed class ClusterBalancer
{
    [ThreadStatic] private static DestinationLoad[]? t_loads;
    [ThreadStatic] private static Candidate[]? t_candidates;

    private readonly FrozenDictionary<string, BalancerSlot> _slots;
    private readonly long _staleTicks;
    private readonly long _markLifetimeTicks;
    private int _configureClaimed;

    public ClusterBalancer(ClusterConfig config, ClusterSettings settings, IBalancingPolicy policy,
        Func<string, string, DestinationEntry> entryFor, long staleTicks, long markLifetimeTicks)
    {
        Config = config;
        Settings = settings;
        Policy = policy;
        NeedsHashKey = policy.Name == BalancingPolicyNames.ConsistentHash;
        _staleTicks = staleTicks;
        _markLifetimeTicks = markLifetimeTicks;
        var slots = new BalancerSlot[settings.Destinations.Count];
        for (var i = 0; i < slots.Length; i++)
        {
            var backend = settings.Destinations[i];
            slots[i] = new BalancerSlot(entryFor(settings.ClusterId, backend.DestinationId), i, backend);
        }
        Slots = slots;
        _slots = slots.ToFrozenDictionary(s => s.Config.DestinationId, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The YARP config this balancer was built from (compared by reference to spot a reload).</summary>
    public ClusterConfig Config { get; }

    public ClusterSettings Settings { get; }

    public string ClusterId => Settings.ClusterId;

    public IBalancingPolicy Policy { get; }

    /// <summary>True when the policy uses the client id (consistent hashing).</summary>
    public bool NeedsHashKey { get; }

    /// <summary>Every destination, in id order.</summary>
    public IReadOnlyList<BalancerSlot> Slots { get; }

    /// <summary>
    /// A destination as this gateway sees it now, for the per-destination gauges: healthy as the balancer treats it
    /// (the backend grain's health and outlier state, or a local connect-failure mark; unknown health counts as healthy),
    /// ejected by outlier detection (the grain's last status), and the requests in flight from every gateway
    /// (the grain's total minus this gateway's share at its last report, plus this gateway's count now; this
    /// gateway's count alone before the first status).
    /// </summary>
    /// <param name="slot">One of <see cref="Slots"/>.</param>
    /// <param name="now">Now, as a <see cref="TimeProvider"/> timestamp.</param>
    public DestinationView View(BalancerSlot slot, long now)
    {
        var entry = slot.Entry;
        var healthy = entry.TryGetLoad(now, _staleTicks, _markLifetimeTicks, out _, out _, out _);
        var local = entry.LocalInFlight;
        if (!entry.TryGetStatus(out var status, out var reportedLocal))
            return new DestinationView(healthy, false, local);
        return new DestinationView(healthy, status.Ejected, Math.Max(0, status.TotalInFlight - reportedLocal) + local);
    }

    /// <summary>True exactly once per balancer: the caller sends <c>ConfigureAsync</c> for every destination.</summary>
    public bool TryClaimConfigure() => Interlocked.Exchange(ref _configureClaimed, 1) == 0;

    public BalancerSlot? Find(string destinationId) => _slots.GetValueOrDefault(destinationId);

    /// <summary>Chooses one healthy destination among <paramref name="available"/>, never <paramref name="exclude"/>.</summary>
    /// <param name="available">YARP's available destinations for the request.</param>
    /// <param name="hashKey">The client id, for consistent hashing.</param>
    /// <param name="exclude">A destination that just failed (retry), or null.</param>
    /// <param name="now">Now, as a <see cref="TimeProvider"/> timestamp.</param>
    public Selection Select(IReadOnlyList<DestinationState> available, string? hashKey, DestinationEntry? exclude, long now)
    {
        var count = available.Count;
        if (count == 0)
            return default;
        var loads = t_loads is { } l && l.Length >= count ? l : t_loads = new DestinationLoad[Math.Max(count, 8)];
        var candidates = t_candidates is { } c && c.Length >= count ? c : t_candidates = new Candidate[Math.Max(count, 8)];

        var n = 0;
        var stale = false;
        for (var i = 0; i < count; i++)
        {
            var state = available[i];
            if (!_slots.TryGetValue(state.DestinationId, out var slot) || ReferenceEquals(slot.Entry, exclude))
                continue;
            if (!slot.Entry.TryGetLoad(now, _staleTicks, _markLifetimeTicks, out var inFlight, out var ewma, out var isStale))
                continue;
            stale |= isStale;
            // Insertion in id order: candidate lists are short and usually already ordered.
            var j = n - 1;
            while (j >= 0 && candidates[j].Slot.Order > slot.Order)
            {
                candidates[j + 1] = candidates[j];
                loads[j + 1] = loads[j];
                j--;
            }
            candidates[j + 1] = new Candidate(slot, state);
            loads[j + 1] = new DestinationLoad(slot.Config.DestinationId, slot.Config.Weight, inFlight, ewma);
            n++;
        }

        if (n == 0)
            return new Selection(null, null, stale);
        var index = n == 1 ? 0 : Policy.Pick(loads.AsSpan(0, n), hashKey);
        if ((uint)index >= (uint)n)
            throw new InvalidOperationException($"Policy {Policy.Name} picked index {index} of {n} candidates.");
        var chosen = candidates[index];
        return new Selection(chosen.Slot.Entry, chosen.Slot.Entry.SingleList(chosen.State), stale);
    }

    private readonly record struct Candidate(BalancerSlot Slot, DestinationState State);
}

/// <summary>One destination for the gateway's per-destination gauges (<see cref="ClusterBalancer.View"/>).</summary>
/// <param name="Healthy">True when the balancer would pick it.</param>
/// <param name="Ejected">True while outlier detection has it ejected.</param>
/// <param name="InFlightAllGateways">Requests in flight to it from every gateway, as far as this gateway knows.</param>
internal readonly record struct DestinationView(bool Healthy, bool Ejected, long InFlightAllGateways);
