using System.Collections.Concurrent;
using Granary.Grains.Contracts;
using Granary.Runtime;
using Granary.Runtime.Hosting;

namespace Granary.Gateway.Tests.Fakes;

/// <summary>Hands out fake client, backend and gateway grains, one per key.</summary>
internal sealed class FakeGrainFactory : IClusterClient
{
    public ConcurrentDictionary<string, FakeClientGrain> Clients { get; } = new();

    public ConcurrentDictionary<string, FakeBackendGrain> Backends { get; } = new();

    public ConcurrentDictionary<string, FakeGatewayGrain> Gateways { get; } = new();

    /// <summary>Applied to every new client grain.</summary>
    public Func<AcquireTokens, ValueTask<RateLimitDecision>>? ClientBehavior { get; set; }

    public bool IsConnected { get; set; } = true;

    public long FailedCalls => 0;

    public long SentCalls => 0;

    public FakeClientGrain Client(string key) => Clients.GetOrAdd(key, _ => new FakeClientGrain { Behavior = ClientBehavior });

    public FakeBackendGrain Backend(string key) => Backends.GetOrAdd(key, _ => new FakeBackendGrain());

    public FakeGatewayGrain Gateway(string key) => Gateways.GetOrAdd(key, _ => new FakeGatewayGrain());

    public TGrain GetGrain<TGrain>(string key) where TGrain : class, IGrain
    {
        if (typeof(TGrain) == typeof(IClientGrain))
            return (TGrain)(object)Client(key);
        if (typeof(TGrain) == typeof(IBackendGrain))
            return (TGrain)(object)Backend(key);
        if (typeof(TGrain) == typeof(IGatewayGrain))
            return (TGrain)(object)Gateway(key);
        throw new InvalidOperationException($"No fake for {typeof(TGrain).Name}.");
    }
}
