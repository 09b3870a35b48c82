using System.Buffers;
using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Granary.Grains.Tests.Fakes;
using Granary.Runtime;
using Granary.Runtime.Hosting;
using Granary.Runtime.Serialization;
using Granary.Runtime.Storage;
using Granary.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Granary.Grains.Tests;

/// <summary>The client grain's bucket persisted through the silo's <see cref="IPersistentStateFactory"/> (in-memory storage, manual clock).</summary>
public sealed class ClientGrainPersistenceTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryClientRegistry _registry;
    private readonly ServiceProvider _services;

    public ClientGrainPersistenceTests()
    {
        _registry = new InMemoryClientRegistry(_time);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddGranarySilo();
        _services = services.BuildServiceProvider();
    }

    private IGrainStorage Storage => _services.GetRequiredService<IGrainStorage>();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<(ClientGrain Grain, FakeGrainContext Context)> ActivateAsync(string clientId, long capacity = 10, double rate = 1)
    {
        var options = Options.Create(new ClientDefaultsOptions { DefaultCapacity = capacity, DefaultRatePerSec = rate });
        var context = new FakeGrainContext(new GrainId(GrainDescriptors.ClientGrainType, clientId), _time);
        var grain = await context.ActivateAsync(new ClientGrain(_registry, options, _services.GetRequiredService<IPersistentStateFactory>()));
        return (grain, context);
    }

    private async Task StoreAsync(string clientId, ClientBucketState state)
    {
        var buffer = new ArrayBufferWriter<byte>();
        ClientBucketState.Write(new GrainWriter(buffer), state);
        var current = await Storage.ReadStateAsync(GrainDescriptors.ClientGrainType, clientId);
        await Storage.WriteStateAsync(GrainDescriptors.ClientGrainType, clientId, buffer.WrittenMemory, current.ETag);
    }

    private async Task<ClientBucketState?> StoredAsync(string clientId)
    {
        var record = await Storage.ReadStateAsync(GrainDescriptors.ClientGrainType, clientId);
        if (record.Payload is not { } payload)
            return null;
        var reader = new GrainReader(payload.Span);
        return ClientBucketState.Read(ref reader);
    }

    [Fact]
    public async Task Activate_NothingStored_StartsFull()
    {
        var (grain, _) = await ActivateAsync("new");

        var state = await grain.GetStateAsync();

        Assert.Equal(10, state.Tokens);
        Assert.Equal(0, state.Admitted);
        Assert.Null(await StoredAsync("new"));
    }

    [Fact]
    public async Task Activate_StoredState_RestoresTokensAndCountersRefilledForElapsedWallTime()
    {
        await StoreAsync("c", new ClientBucketState(2, NowMs - 3_000, 7, 4));

        var (grain, _) = await ActivateAsync("c", capacity: 10, rate: 1);
        var state = await grain.GetStateAsync();

        Assert.Equal(5, state.Tokens, 6);
        Assert.Equal(7, state.Admitted);
        Assert.Equal(4, state.Rejected);
    }

    [Fact]
    public async Task Activate_StoredLongAgo_RefillClampedToCapacity()
    {
        await StoreAsync("c", new ClientBucketState(0, NowMs - 3_600_000, 1, 1));

        var (grain, _) = await ActivateAsync("c", capacity: 10, rate: 1);

        Assert.Equal(10, (await grain.GetStateAsync()).Tokens);
    }

    [Fact]
    public async Task Activate_StoredInTheFuture_ClockWentBackwardsAddsNothing()
    {
        await StoreAsync("c", new ClientBucketState(2, NowMs + 60_000, 0, 0));

        var (grain, _) = await ActivateAsync("c", capacity: 10, rate: 1);

        Assert.Equal(2, (await grain.GetStateAsync()).Tokens, 6);
        Assert.Equal(2, await AdmittedOf(grain, 5));
    }

    [Fact]
    public async Task TryAcquire_ThenDeactivate_FlushStoresTokensCountersAndTime()
    {
        var (grain, _) = await ActivateAsync("c", capacity: 3, rate: 1);
        Assert.Equal(3, await AdmittedOf(grain, 5));
        _time.Advance(TimeSpan.FromMilliseconds(250)); // no call since: the stored snapshot is that of the last call

        await grain.OnDeactivateAsync(DeactivationReason.IdleTimeout, CancellationToken.None);

        var stored = await StoredAsync("c");
        Assert.Equal(new ClientBucketState(0, NowMs - 250, 3, 2), stored);
    }

    [Fact]
    public async Task SetLimits_LowerCapacity_PersistsClampedTokens()
    {
        var (grain, _) = await ActivateAsync("c", capacity: 10, rate: 1);

        await grain.SetLimitsAsync(new ClientLimits(4, 1));
        await grain.OnDeactivateAsync(DeactivationReason.IdleTimeout, CancellationToken.None);

        Assert.Equal(4, (await StoredAsync("c"))!.Value.Tokens);
    }

    [Fact]
    public async Task Reactivate_AfterDeactivation_ContinuesFromStoredBucket()
    {
        var (first, _) = await ActivateAsync("c", capacity: 5, rate: 1);
        Assert.Equal(5, await AdmittedOf(first, 5));
        await first.OnDeactivateAsync(DeactivationReason.IdleTimeout, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(2));

        var (second, _) = await ActivateAsync("c", capacity: 5, rate: 1);

        Assert.Equal(2, await AdmittedOf(second, 5));
        Assert.Equal(7, (await second.GetStateAsync()).Admitted);
    }

    [Fact]
    public void ClientBucketState_RoundTrip_33BytesAndVersionChecked()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var value = new ClientBucketState(1.5, 1_767_225_600_000, 10, 3);
        ClientBucketState.Write(new GrainWriter(buffer), value);
        var reader = new GrainReader(buffer.WrittenSpan);

        Assert.Equal(33, buffer.WrittenCount);
        Assert.Equal(value, ClientBucketState.Read(ref reader));
        var bad = buffer.WrittenSpan.ToArray();
        bad[0] = 9;
        Assert.Throws<GrainSerializationException>(() =>
        {
            var r = new GrainReader(bad);
            ClientBucketState.Read(ref r);
        });
    }

    private static async Task<int> AdmittedOf(IClientGrain grain, int attempts)
    {
        var admitted = 0;
        for (var i = 0; i < attempts; i++)
        {
            if ((await grain.TryAcquireAsync(new AcquireTokens(1))).Admitted)
                admitted++;
        }
        return admitted;
    }
}
