using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Granary.Grains.Tests.Fakes;
using Granary.Grains.Tests.Hosting;

namespace Granary.Grains.Tests;

/// <summary>
/// The client grain's bucket through Orleans's <c>IPersistentState</c> on grain storage
/// <see cref="GrainStorageNames.Default"/> (a <see cref="RecordingGrainStorage"/>): restore on
/// activation, bounded write-behind, the write on deactivation, retries and etag conflicts.
/// Defaults: 10 tokens at 1 token/s; write-behind every 1000 ms of the test clock.
/// </summary>
public sealed class ClientGrainPersistenceTests(StorageClusterFixture fixture) : IClassFixture<StorageClusterFixture>
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(GrainClusterFixture.WriteBehindIntervalMs);

    private RecordingGrainStorage Storage => fixture.Storage;

    private GrainTimerClock Clock => fixture.Clock;

    private IClientGrain Client(string id) => fixture.Grains.GetGrain<IClientGrain>(id);

    private ClientBucketState? Stored(IClientGrain grain) => Storage.Stored<ClientBucketState>(grain.GetGrainId(), ClientGrain.StateName);

    private void Store(IClientGrain grain, ClientBucketState state) => Storage.Put(grain.GetGrainId(), ClientGrain.StateName, state);

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

    [Fact]
    public async Task Activate_NothingStored_StartsFullAndWritesNothing()
    {
        var grain = Client("new");

        var state = await grain.GetStateAsync();

        Assert.Equal((10.0, 0L), (state.Tokens, state.Admitted));
        Assert.Null(Stored(grain));
        Assert.Equal(0, Storage.WriteAttempts(grain.GetGrainId()));
    }

    [Fact]
    public async Task Activate_StoredState_RestoresTokensAndCountersRefilledForElapsedWallTime()
    {
        var grain = Client("stored");
        Store(grain, new ClientBucketState(2, Clock.UnixMs - 3_000, 7, 4));

        var state = await grain.GetStateAsync();

        Assert.Equal(5, state.Tokens, 6);
        Assert.Equal((7L, 4L), (state.Admitted, state.Rejected));
    }

    [Fact]
    public async Task Activate_StoredLongAgo_RefillClampedToCapacity()
    {
        var grain = Client("stored-long-ago");
        Store(grain, new ClientBucketState(0, Clock.UnixMs - 3_600_000, 1, 1));

        Assert.Equal(10, (await grain.GetStateAsync()).Tokens);
    }

    [Fact]
    public async Task Activate_StoredInTheFuture_ClockWentBackwardsAddsNothing()
    {
        var grain = Client("stored-ahead");
        Store(grain, new ClientBucketState(2, Clock.UnixMs + 60_000, 0, 0));

        Assert.Equal(2, (await grain.GetStateAsync()).Tokens, 6);
        Assert.Equal(2, await AdmittedOf(grain, 5));
    }

    [Fact]
    public async Task TryAcquire_ManyCallsPerInterval_OneWritePerIntervalAndNoneWhenUnchanged()
    {
        var grain = Client("busy");
        var id = grain.GetGrainId();
        Assert.Equal(10, await AdmittedOf(grain, 50));
        Assert.Equal(0, Storage.WriteAttempts(id)); // requests do no I/O

        Assert.Equal(Interval, await Clock.FireNextAsync(id));
        await Wait.UntilAsync(() => Storage.Writes(id) == 1, "the first write-behind");
        Assert.Equal(new ClientBucketState(1, Clock.UnixMs, 10, 40), Stored(grain)); // refilled 1 token in the interval

        Assert.Equal(1, await AdmittedOf(grain, 50));
        Assert.Equal(1, Storage.WriteAttempts(id));
        Assert.Equal(Interval, await Clock.FireNextAsync(id));
        await Wait.UntilAsync(() => Storage.Writes(id) == 2, "the second write-behind");
        Assert.Equal(new ClientBucketState(1, Clock.UnixMs, 11, 89), Stored(grain));

        await Clock.FireNextAsync(id); // nothing changed since
        await Clock.WaitUntilArmedAsync(id);
        Assert.Equal(2, Storage.WriteAttempts(id));
    }

    [Fact]
    public async Task Deactivate_WritesAtOnce()
    {
        var grain = Client("flushed");
        Assert.Equal(3, await AdmittedOf(grain, 3));

        await fixture.Cluster.DeactivateAsync(grain);

        Assert.Equal(1, Storage.Writes(grain.GetGrainId()));
        Assert.Equal(new ClientBucketState(7, Clock.UnixMs, 3, 0), Stored(grain));
    }

    [Fact]
    public async Task SetLimits_LowerCapacity_PersistsClampedTokens()
    {
        var grain = Client("clamped");
        await grain.SetLimitsAsync(new ClientLimits(4, 1));

        await fixture.Cluster.DeactivateAsync(grain);

        Assert.Equal(4, Stored(grain)!.Tokens);
    }

    [Fact]
    public async Task Reactivate_AfterDeactivation_ContinuesFromStoredBucket()
    {
        var grain = Client("reactivated");
        Assert.Equal(10, await AdmittedOf(grain, 10));
        await fixture.Cluster.DeactivateAsync(grain);
        Clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(2, await AdmittedOf(grain, 5));
        var state = await grain.GetStateAsync();
        Assert.Equal((12L, 3L), (state.Admitted, state.Rejected));
    }

    [Fact]
    public async Task IdleCollection_WritesBucket_NextCallRestoresIt()
    {
        var grain = Client("collected");
        Assert.Equal(4, await AdmittedOf(grain, 4));
        var deactivated = fixture.Cluster.WaitForDeactivationAsync(grain);

        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await Wait.ForAsync(deactivated, "the idle client grain's collection");

        Assert.Equal(new ClientBucketState(6, Clock.UnixMs, 4, 0), Stored(grain));
        var state = await grain.GetStateAsync();
        Assert.Equal((6.0, 4L), (state.Tokens, state.Admitted));
    }

    [Fact]
    public async Task WriteBehind_WriteFails_RetriedOnNextTick()
    {
        var grain = Client("flaky-storage");
        var id = grain.GetGrainId();
        Storage.FailNextWrites(id, 1);
        Assert.Equal(3, await AdmittedOf(grain, 3));

        await Clock.FireNextAsync(id);
        await Clock.WaitUntilArmedAsync(id); // that tick finished
        Assert.Equal((1, 0), (Storage.WriteAttempts(id), Storage.Writes(id)));
        Assert.Null(Stored(grain));

        await Clock.FireNextAsync(id); // no request since: the bucket stayed marked changed
        await Wait.UntilAsync(() => Storage.Writes(id) == 1, "the retried write");

        Assert.Equal(2, Storage.WriteAttempts(id));
        Assert.Equal(new ClientBucketState(9, Clock.UnixMs, 3, 0), Stored(grain));
    }

    [Fact]
    public async Task WriteBehind_EtagConflict_DeactivatesWithoutOverwritingTheOtherActivation()
    {
        var grain = Client("two-owners");
        var id = grain.GetGrainId();
        Assert.Equal(2, await AdmittedOf(grain, 2));
        await Clock.FireNextAsync(id);
        await Wait.UntilAsync(() => Storage.Writes(id) == 1, "the first write-behind");
        var theirs = new ClientBucketState(3, Clock.UnixMs, 40, 5);
        Store(grain, theirs); // another activation (a brief duplicate after a membership change) wrote since
        await grain.TryAcquireAsync(new AcquireTokens(1));
        var deactivated = fixture.Cluster.WaitForDeactivationAsync(grain);

        await Clock.FireNextAsync(id);
        await Wait.ForAsync(deactivated, "the stale activation's deactivation");

        Assert.Equal(2, Storage.WriteAttempts(id)); // the conflict, and no write on the way out
        Assert.Equal(theirs, Stored(grain));
        var state = await grain.GetStateAsync();
        Assert.Equal(4, state.Tokens, 6); // theirs, refilled for the interval since they wrote
        Assert.Equal((40L, 5L), (state.Admitted, state.Rejected));
    }
}
