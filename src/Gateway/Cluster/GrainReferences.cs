using System.Collections.Concurrent;
using Granary.Grains.Contracts;

namespace Granary.Gateway.Cluster;

/// <summary>
/// The gateway's way to Orleans's <see cref="IGrainFactory"/>: grain references by key, client grains cached per
/// client id (a reference is immutable and valid for the client's lifetime; making one encodes the key and
/// allocates, a cached one costs one dictionary lookup). The cache holds at most <see cref="MaxCachedClients"/>
/// ids and is cleared when it would hold more. Backend grain references are cached by their
/// <c>DestinationEntry</c>, the gateway grain's by the heartbeat.
/// <para>
/// Orleans resolves a grain interface to its grain type from the cluster manifest the client received from a
/// silo; when no silo knows the interface (a silo of another version) <c>GetGrain</c> throws
/// <see cref="ArgumentException"/>. That is not an answer of a grain: it is rethrown as an
/// <see cref="OrleansException"/>, so callers decide locally instead of treating it as a bad request.
/// </para>
/// </summary>
internal sealed class GrainReferences
{
    /// <summary>The most client ids whose grain reference is cached: 100,000.</summary>
    public const int MaxCachedClients = 100_000;

    private readonly ConcurrentDictionary<string, IClientGrain> _clients = new(StringComparer.Ordinal);
    private readonly IGrainFactory _grains;
    private readonly int _maxClients;
    private int _count;

    public GrainReferences(IGrainFactory grains) : this(grains, MaxCachedClients)
    {
    }

    /// <param name="grains">Orleans's grain factory (the cluster client).</param>
    /// <param name="maxClients">The most cached client references, ≥ 1.</param>
    public GrainReferences(IGrainFactory grains, int maxClients)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxClients, 1);
        _grains = grains;
        _maxClients = maxClients;
    }

    /// <summary>Client references cached now (approximate).</summary>
    public int CachedClients => Volatile.Read(ref _count);

    /// <summary>The client grain of <paramref name="clientId"/>, cached.</summary>
    /// <exception cref="OrleansException">No silo knows the grain interface.</exception>
    public IClientGrain Client(string clientId)
    {
        if (_clients.TryGetValue(clientId, out var grain))
            return grain;
        grain = Get<IClientGrain>(clientId);
        if (Interlocked.Increment(ref _count) > _maxClients)
        {
            _clients.Clear();
            Volatile.Write(ref _count, 1);
        }
        return _clients.GetOrAdd(clientId, grain);
    }

    /// <summary>The backend grain of a destination key (<see cref="BackendKey.For"/>), not cached here.</summary>
    /// <exception cref="OrleansException">No silo knows the grain interface.</exception>
    public IBackendGrain Backend(string key) => Get<IBackendGrain>(key);

    /// <summary>The gateway grain of a gateway id, not cached here.</summary>
    /// <exception cref="OrleansException">No silo knows the grain interface.</exception>
    public IGatewayGrain Gateway(string gatewayId) => Get<IGatewayGrain>(gatewayId);

    private TGrain Get<TGrain>(string key) where TGrain : IGrainWithStringKey
    {
        try
        {
            return _grains.GetGrain<TGrain>(key);
        }
        catch (ArgumentException ex)
        {
            throw new OrleansException($"No grain type for {typeof(TGrain).Name} in the cluster manifest: {ex.Message}", ex);
        }
    }
}
