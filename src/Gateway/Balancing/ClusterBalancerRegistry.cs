using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Granary.Gateway.Configuration;
using Granary.Gateway.Diagnostics;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace Granary.Gateway.Balancing;

/// <summary>
/// The cluster state cache: one <see cref="ClusterBalancer"/> per YARP cluster id, created lazily
/// from the cluster's current config and recreated when that config object changes (a reload);
/// one <see cref="DestinationEntry"/> per destination key, kept across reloads so local in-flight
/// counts survive them. <c>GetOrCreate</c> is one dictionary lookup and a reference
/// comparison on the hot path.
/// </summary>
internal sealed class ClusterBalancerRegistry
{
    private readonly ConcurrentDictionary<string, ClusterBalancer> _balancers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, DestinationEntry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _rebuild = new();
    private readonly IPolicyProvider _policies;
    private readonly ILogger<ClusterBalancerRegistry> _logger;
    private readonly long _staleTicks;
    private readonly long _ticksPerMs;
    private readonly TimeProvider _time;
    private readonly Func<string, string, DestinationEntry> _entryFor;
    private long _version;

    public ClusterBalancerRegistry(IPolicyProvider policies, TimeProvider time, IOptions<GatewayOptions> options, ILogger<ClusterBalancerRegistry> logger)
    {
        _policies = policies;
        _logger = logger;
        _time = time;
        var ticksPerMs = time.TimestampFrequency / 1000.0;
        _ticksPerMs = Math.Max(1, (long)ticksPerMs);
        _staleTicks = (long)(3.0 * options.Value.InFlightLeaseMs * ticksPerMs);
        _entryFor = EntryFor;
    }

    /// <summary>Increments whenever a balancer is created (the monitor then configures its grains).</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Raised after a balancer is created (outside any lock).</summary>
    public event Action<ClusterBalancer>? BalancerCreated;

    /// <summary>The balancer for the cluster's current config, created if missing or stale.</summary>
    /// <exception cref="GatewayConfigurationException">The cluster's Granary metadata is invalid (the config filter normally rejects it first).</exception>
    public ClusterBalancer GetOrCreate(ClusterState cluster)
    {
        var config = cluster.Model.Config;
        if (_balancers.TryGetValue(cluster.ClusterId, out var balancer) && ReferenceEquals(balancer.Config, config))
            return balancer;
        return Rebuild(cluster.ClusterId, cluster.Model);
    }

    /// <summary>The balancer for a cluster model (the request's snapshot when its cluster state is not at hand).</summary>
    public ClusterBalancer GetOrCreate(ClusterModel model)
    {
        var config = model.Config;
        if (_balancers.TryGetValue(config.ClusterId, out var balancer) && ReferenceEquals(balancer.Config, config))
            return balancer;
        return Rebuild(config.ClusterId, model);
    }

    /// <summary>Every current balancer.</summary>
    public ICollection<ClusterBalancer> Balancers => _balancers.Values;

    /// <summary>The gauge callback: local in-flight per destination of every current balancer.</summary>
    public IEnumerable<Measurement<long>> ObserveInFlight()
    {
        foreach (var balancer in _balancers.Values)
        {
            foreach (var slot in balancer.Slots)
            {
                yield return new Measurement<long>(slot.Entry.LocalInFlight,
                    new KeyValuePair<string, object?>("cluster", balancer.ClusterId),
                    new KeyValuePair<string, object?>("destination", slot.Entry.DestinationId));
            }
        }
    }

    /// <summary>The gauge callback: 1 per destination the balancer would pick now, else 0 (<see cref="ClusterBalancer.View"/>).</summary>
    public IEnumerable<Measurement<int>> ObserveHealthy() => ObserveViews(static v => v.Healthy ? 1 : 0);

    /// <summary>The gauge callback: 1 per destination that outlier detection has ejected, else 0.</summary>
    public IEnumerable<Measurement<int>> ObserveEjected() => ObserveViews(static v => v.Ejected ? 1 : 0);

    /// <summary>The gauge callback: requests in flight per destination from every gateway, as far as this gateway knows.</summary>
    public IEnumerable<Measurement<long>> ObserveInFlightAllGateways() => ObserveViews(static v => v.InFlightAllGateways);

    private IEnumerable<Measurement<T>> ObserveViews<T>(Func<DestinationView, T> value) where T : struct
    {
        var now = _time.GetTimestamp();
        foreach (var balancer in _balancers.Values)
        {
            foreach (var slot in balancer.Slots)
            {
                yield return new Measurement<T>(value(balancer.View(slot, now)),
                    new KeyValuePair<string, object?>("cluster", balancer.ClusterId),
                    new KeyValuePair<string, object?>("destination", slot.Entry.DestinationId));
            }
        }
    }

    /// <summary>The entry for a destination key, if any balancer ever had it.</summary>
    public DestinationEntry? FindEntry(string clusterId, string destinationId) =>
        _entries.GetValueOrDefault(Grains.Contracts.BackendKey.For(clusterId, destinationId));

    private ClusterBalancer Rebuild(string clusterId, ClusterModel model)
    {
        ClusterBalancer created;
        lock (_rebuild)
        {
            var config = model.Config;
            if (_balancers.TryGetValue(clusterId, out var existing) && ReferenceEquals(existing.Config, config))
                return existing;
            var settings = ClusterSettings.Parse(config);
            var policy = _policies.Create(settings.Policy);
            // A locally marked destination is avoided for at most one base ejection time without news.
            var markLifetime = settings.Destinations.Count > 0 ? settings.Destinations[0].BaseEjectionMs * _ticksPerMs : 30_000 * _ticksPerMs;
            created = new ClusterBalancer(config, settings, policy, _entryFor, _staleTicks, markLifetime);
            _balancers[clusterId] = created;
            Interlocked.Increment(ref _version);
        }
        Log.BalancerCreated(_logger, clusterId, created.Policy.Name, created.Slots.Count);
        BalancerCreated?.Invoke(created);
        return created;
    }

    private DestinationEntry EntryFor(string clusterId, string destinationId) =>
        _entries.GetOrAdd(Grains.Contracts.BackendKey.For(clusterId, destinationId), static (_, ids) => new DestinationEntry(ids.clusterId, ids.destinationId),
            (clusterId, destinationId));
}
