using System.Buffers;
using Granary.Runtime.Hosting;
using Granary.Runtime.Membership;
using Granary.Runtime.Messaging;
using Granary.Runtime.Serialization;
using Granary.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using GrainCatalog = Granary.Runtime.Catalog.Catalog;

namespace Granary.Runtime.Tests.Catalog;

/// <summary>A silo's runtime built through AddGranarySilo, with a manual clock, its hosted services started.</summary>
internal sealed class TestSilo : IAsyncDisposable
{
    public const int IdleTimeoutMs = 10_000;
    public const int CollectionIntervalMs = 1_000;
    public const int LocalCallTimeoutMs = 2_000;

    private readonly ServiceProvider _services;
    private readonly List<IHostedService> _hosted;
    private bool _stopped;

    private TestSilo(ServiceProvider services, List<IHostedService> hosted)
    {
        _services = services;
        _hosted = hosted;
    }

    public ManualTimeProvider Time => (ManualTimeProvider)_services.GetRequiredService<TimeProvider>();

    public TestProbe Probe => _services.GetRequiredService<TestProbe>();

    public GrainCatalog Catalog => _services.GetRequiredService<GrainCatalog>();

    public IGrainFactory Factory => _services.GetRequiredService<IGrainFactory>();

    public IServiceProvider Services => _services;

    public static async Task<TestSilo> StartAsync(Action<IServiceCollection>? configure = null, bool start = true)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new ManualTimeProvider());
        services.AddSingleton<TestProbe>();
        configure?.Invoke(services);
        services.AddGranarySilo(o =>
        {
            o.Generation = 1;
            o.IdleTimeoutMs = IdleTimeoutMs;
            o.CollectionIntervalMs = CollectionIntervalMs;
            o.LocalCallTimeoutMs = LocalCallTimeoutMs;
        });
        services.AddGrain<TestGrain>(TestGrainDescriptor.Descriptor);
        var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToList();
        if (start)
        {
            foreach (var service in hosted)
                await service.StartAsync(CancellationToken.None);
        }
        return new TestSilo(provider, hosted);
    }

    public ITestGrain Grain(string key) => Factory.GetGrain<ITestGrain>(key);

    /// <summary>Calls the catalog directly, as the transport does.</summary>
    public async Task<(CallOutcome Outcome, byte[] Result)> CallRawAsync(GrainId grainId, ushort methodId, byte[] arguments, long callerViewVersion = 0)
    {
        var result = new ArrayBufferWriter<byte>();
        var outcome = await Catalog.HandleAsync(new GrainRequestHeader(grainId, methodId), arguments, callerViewVersion, result, CancellationToken.None);
        return (outcome, result.WrittenSpan.ToArray());
    }

    public static byte[] Encode<T>(T value) where T : IGrainCodec<T>
    {
        var buffer = new ArrayBufferWriter<byte>();
        T.Write(new GrainWriter(buffer), value);
        return buffer.WrittenSpan.ToArray();
    }

    public async Task StopAsync()
    {
        if (_stopped)
            return;
        _stopped = true;
        for (var i = _hosted.Count - 1; i >= 0; i--)
        {
            if (_hosted[i] is IHostedLifecycleService lifecycle)
                await lifecycle.StoppingAsync(CancellationToken.None);
        }
        for (var i = _hosted.Count - 1; i >= 0; i--)
            await _hosted[i].StopAsync(CancellationToken.None);
        for (var i = _hosted.Count - 1; i >= 0; i--)
        {
            if (_hosted[i] is IHostedLifecycleService lifecycle)
                await lifecycle.StoppedAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _services.DisposeAsync();
    }

    /// <summary>Polls <paramref name="condition"/> until true or 5 s pass (real time: work runs on the thread pool).</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string because)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Timed out waiting until {because}.");
            await Task.Delay(5);
        }
    }
}

/// <summary>A fixed membership view (several silos) for ownership tests.</summary>
internal sealed class StaticViewProvider(MembershipView view) : IMembershipViewProvider
{
    public MembershipView Current { get; } = view;

    public event Action<MembershipView>? ViewChanged
    {
        add { }
        remove { }
    }
}
