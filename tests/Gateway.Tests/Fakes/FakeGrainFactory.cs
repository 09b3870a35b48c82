using System.Collections.Concurrent;
using Granary.Gateway.Cluster;
using Granary.Grains.Contracts;

namespace Granary.Gateway.Tests.Fakes;

/// <summary>
/// A fake of Orleans's <see cref="IGrainFactory"/>: <c>GetGrain&lt;T&gt;(string key)</c> hands out fake client,
/// backend and gateway grains, one per key; every other member throws <see cref="NotSupportedException"/>.
/// Calls on the fakes complete as they are told, without Orleans's serializer.
/// </summary>
internal sealed class FakeGrainFactory : IGrainFactory
{
    private GrainReferences? _references;

    public ConcurrentDictionary<string, FakeClientGrain> Clients { get; } = new();

    public ConcurrentDictionary<string, FakeBackendGrain> Backends { get; } = new();

    public ConcurrentDictionary<string, FakeGatewayGrain> Gateways { get; } = new();

    /// <summary>Applied to every new client grain.</summary>
    public Func<AcquireTokens, ValueTask<RateLimitDecision>>? ClientBehavior { get; set; }

    /// <summary>When set, <c>GetGrain</c> throws it (e.g. the <see cref="ArgumentException"/> of a cluster manifest without the interface).</summary>
    public Exception? GetGrainFailure { get; set; }

    /// <summary>Calls of <c>GetGrain</c> so far.</summary>
    public int GetGrainCalls => Volatile.Read(ref _getGrainCalls);

    private int _getGrainCalls;

    /// <summary>The gateway's reference cache over this factory (one per factory).</summary>
    public GrainReferences References => _references ??= new GrainReferences(this);

    public FakeClientGrain Client(string key) => Clients.GetOrAdd(key, _ => new FakeClientGrain { Behavior = ClientBehavior });

    public FakeBackendGrain Backend(string key) => Backends.GetOrAdd(key, _ => new FakeBackendGrain());

    public FakeGatewayGrain Gateway(string key) => Gateways.GetOrAdd(key, _ => new FakeGatewayGrain());

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithStringKey
    {
        Interlocked.Increment(ref _getGrainCalls);
        if (GetGrainFailure is { } failure)
            throw failure;
        if (typeof(TGrainInterface) == typeof(IClientGrain))
            return (TGrainInterface)(object)Client(primaryKey);
        if (typeof(TGrainInterface) == typeof(IBackendGrain))
            return (TGrainInterface)(object)Backend(primaryKey);
        if (typeof(TGrainInterface) == typeof(IGatewayGrain))
            return (TGrainInterface)(object)Gateway(primaryKey);
        throw new NotSupportedException($"No fake for {typeof(TGrainInterface).Name}.");
    }

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidKey =>
        throw new NotSupportedException();

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerKey =>
        throw new NotSupportedException();

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidCompoundKey => throw new NotSupportedException();

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerCompoundKey => throw new NotSupportedException();

    public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver =>
        throw new NotSupportedException();

    public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver =>
        throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey) => throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey) => throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, string grainPrimaryKey) => throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey, string keyExtension) => throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey, string keyExtension) => throw new NotSupportedException();

    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId) where TGrainInterface : IAddressable => throw new NotSupportedException();

    public IAddressable GetGrain(GrainId grainId) => throw new NotSupportedException();

    public IAddressable GetGrain(GrainId grainId, GrainInterfaceType interfaceType) => throw new NotSupportedException();

    public IAddressable GetGrain(Type interfaceType, IdSpan grainKey, string grainClassNamePrefix) => throw new NotSupportedException();

    public IAddressable GetGrain(Type interfaceType, IdSpan grainKey) => throw new NotSupportedException();
}
