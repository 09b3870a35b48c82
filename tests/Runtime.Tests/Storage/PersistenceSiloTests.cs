using Granary.Runtime.Hosting;
using Granary.Runtime.Storage;
using Granary.Runtime.Tests.Catalog;
using Granary.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Tests.Storage;

/// <summary>Grain persistence inside a silo: activation, deactivation, conflicts and host shutdown.</summary>
public sealed class PersistenceSiloTests
{
    private static Task<TestSilo> StartSiloAsync(CountingStorage storage, CounterProbe probe) =>
        TestSilo.StartAsync(services =>
        {
            services.AddSingleton<IGrainStorage>(storage);
            services.AddSingleton(probe);
            services.AddGrain<CounterGrain>(CounterGrainDescriptor.Descriptor);
        });

    private static ICounterGrain Counter(TestSilo silo, string key) => silo.Factory.GetGrain<ICounterGrain>(key);

    private static GrainId CounterId(string key) => new(CounterGrainDescriptor.GrainType, key);

    [Fact]
    public async Task Deactivation_DirtyState_FlushedAtOnceAndReadByNextActivation()
    {
        var storage = new CountingBatchedStorage();
        var probe = new CounterProbe();
        await using var silo = await StartSiloAsync(storage, probe);
        await Counter(silo, "a").AddAsync(new IntValue(5));
        await Counter(silo, "a").AddAsync(new IntValue(2));

        var activation = silo.Catalog.FindActivation(CounterId("a"))!;
        activation.StartDeactivation(DeactivationReason.ApplicationRequested);
        await activation.Completion;

        Assert.Equal(7, await storage.StoredTotalAsync(CounterGrainDescriptor.GrainType, "a"));
        Assert.Equal(1, storage.SingleWrites);
        Assert.Empty(storage.Batches);
        Assert.Equal(8, (await Counter(silo, "a").AddAsync(new IntValue(1))).Value);
    }

    [Fact]
    public async Task WriteBehind_IntervalElapses_StateStoredWhileGrainStaysActive()
    {
        var storage = new CountingBatchedStorage();
        await using var silo = await StartSiloAsync(storage, new CounterProbe());
        await Counter(silo, "a").AddAsync(new IntValue(3));
        await Counter(silo, "b").AddAsync(new IntValue(4));

        silo.Time.Advance(TimeSpan.FromMilliseconds(new SiloOptions().WriteBehindIntervalMs));
        await TestSilo.EventuallyAsync(() => storage.Batches.Count == 1, "one batch was written");

        Assert.Equal(2, storage.Batches[0].Count);
        Assert.Equal(3, await storage.StoredTotalAsync(CounterGrainDescriptor.GrainType, "a"));
        Assert.Equal(2, silo.Catalog.Count);
    }

    [Fact]
    public async Task WriteBehind_ETagConflict_DeactivatesFaultedAndNextActivationRereads()
    {
        var storage = new CountingBatchedStorage();
        var probe = new CounterProbe();
        await using var silo = await StartSiloAsync(storage, probe);
        await Counter(silo, "a").AddAsync(new IntValue(1));
        await storage.WriteStateAsync(CounterGrainDescriptor.GrainType, "a", CounterState.Encode(50), null); // a second owner wrote it

        silo.Time.Advance(TimeSpan.FromMilliseconds(new SiloOptions().WriteBehindIntervalMs));
        await TestSilo.EventuallyAsync(() => silo.Catalog.Count == 0, "the stale activation deactivated");

        Assert.Equal([DeactivationReason.Faulted], probe.DeactivationReasons);
        Assert.Equal(50, await storage.StoredTotalAsync(CounterGrainDescriptor.GrainType, "a"));
        Assert.Equal(51, (await Counter(silo, "a").AddAsync(new IntValue(1))).Value);
    }

    [Fact]
    public async Task AddGranarySilo_HostedServices_WriteBehindRegisteredBeforeCatalogSoItStopsAfter()
    {
        var services = new ServiceCollection();
        services.AddGranarySilo();
        await using var provider = services.BuildServiceProvider();

        var hosted = provider.GetServices<IHostedService>().ToList();
        var queue = hosted.FindIndex(s => s is WriteBehindQueue);
        var catalog = hosted.FindIndex(s => s is Granary.Runtime.Catalog.Catalog);

        Assert.True(queue >= 0 && catalog >= 0, "both are hosted services");
        Assert.True(queue < catalog, $"write-behind (#{queue}) must be registered before the catalog (#{catalog}): hosts stop services in reverse order");
        Assert.IsType<PersistentStateFactory>(provider.GetRequiredService<IPersistentStateFactory>());
    }

    [Fact]
    public async Task HostStop_StateMarkedDirtyWhileDeactivating_WrittenByWriteBehindAfterCatalogStopped()
    {
        var storage = new CountingBatchedStorage();
        var probe = new CounterProbe { FlushOnDeactivate = false };
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(new ManualTimeProvider()); // the write-behind timer never fires: only shutdown writes
        builder.Services.AddSingleton<IGrainStorage>(storage);
        builder.Services.AddSingleton(probe);
        builder.Services.AddGranarySilo(o => o.Generation = 1);
        builder.Services.AddGrain<CounterGrain>(CounterGrainDescriptor.Descriptor);
        using var host = builder.Build();
        await host.StartAsync();
        var factory = host.Services.GetRequiredService<IGrainFactory>();
        for (var i = 0; i < 3; i++)
            await factory.GetGrain<ICounterGrain>($"g{i}").AddAsync(new IntValue(i + 1));
        Assert.Empty(storage.Batches);

        await host.StopAsync();

        Assert.Equal(3, probe.DeactivationReasons.Count);
        Assert.All(probe.DeactivationReasons, r => Assert.Equal(DeactivationReason.ShuttingDown, r));
        // OnDeactivateAsync added 1000 and only marked dirty: the values exist only if write-behind ran after the catalog.
        for (var i = 0; i < 3; i++)
            Assert.Equal(1000 + i + 1, await storage.StoredTotalAsync(CounterGrainDescriptor.GrainType, $"g{i}"));
        Assert.Equal(0, host.Services.GetRequiredService<WriteBehindQueue>().PendingCount);
    }
}
