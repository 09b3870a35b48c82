using System.Diagnostics.Metrics;
using Granary.Runtime.Hosting;
using Granary.Runtime.Storage;
using Granary.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Runtime.Tests.Storage;

public sealed class WriteBehindQueueTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(1000);

    private readonly ManualTimeProvider _time = new();
    private readonly List<WriteBehindQueue> _queues = [];

    public void Dispose()
    {
        foreach (var queue in _queues)
            queue.Dispose();
    }

    private (WriteBehindQueue Queue, PersistentStateFactory Factory) Start(CountingStorage storage, int maxPending = 100_000, IMeterFactory? meterFactory = null)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new SiloOptions { WriteBehindIntervalMs = (int)Interval.TotalMilliseconds, WriteBehindMaxPending = maxPending });
        var queue = new WriteBehindQueue(storage, options, _time, NullLogger<WriteBehindQueue>.Instance, meterFactory);
        _queues.Add(queue);
        queue.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        return (queue, new PersistentStateFactory(storage, queue));
    }

    private async Task<(PersistentState<CounterState> State, RecordingGrainContext Context)> LoadAsync(PersistentStateFactory factory, string key)
    {
        var context = new RecordingGrainContext(new GrainId(CounterGrainDescriptor.GrainType, key), _time);
        var state = factory.Create(context, IPersistentStateFactory.DefaultStateName, static () => new CounterState(0));
        await state.LoadAsync();
        return (state, context);
    }

    private static void Set(PersistentState<CounterState> state, int total)
    {
        state.State = new CounterState(total);
        state.MarkDirty();
    }

    /// <summary>Moves the clock by <paramref name="by"/> and waits for the pass a tick started (storage here completes synchronously).</summary>
    private async Task AdvanceAsync(WriteBehindQueue queue, TimeSpan by)
    {
        _time.Advance(by);
        await queue.LastPass;
    }

    [Fact]
    public async Task MarkDirty_SeveralGrains_WrittenInOneBatchWithinOneInterval()
    {
        var storage = new CountingBatchedStorage();
        var (queue, factory) = Start(storage);
        for (var i = 0; i < 5; i++)
            Set((await LoadAsync(factory, $"g{i}")).State, i + 10);

        await AdvanceAsync(queue, Interval - TimeSpan.FromMilliseconds(1));
        Assert.Empty(storage.Batches);
        Assert.Equal(5, queue.PendingCount);

        await AdvanceAsync(queue, TimeSpan.FromMilliseconds(1));

        var batch = Assert.Single(storage.Batches);
        Assert.Equal(5, batch.Count);
        Assert.Equal(0, storage.SingleWrites);
        Assert.Equal(0, queue.PendingCount);
        for (var i = 0; i < 5; i++)
            Assert.Equal(i + 10, await storage.StoredTotalAsync(CounterGrainDescriptor.GrainType, $"g{i}"));
    }

    [Fact]
    public async Task MarkDirty_TenTimesBeforeAPass_OneWriteOfTheLatest()
    {
        var storage = new CountingBatchedStorage();
        var (queue, factory) = Start(storage);
        var (state, _) = await LoadAsync(factory, "a");

        for (var i = 1; i <= 10; i++)
            Set(state, i);
        Assert.Equal(1, queue.PendingCount);
        await AdvanceAsync(queue, Interval);

        var write = Assert.Single(Assert.Single(storage.Batches));
        Assert.Equal(CounterState.Encode(10), write.Payload.ToArray());
        Assert.Equal(10, await storage.StoredTotalAsync(CounterGrainDescriptor.GrainType, "a"));
        Assert.False(state.IsDirty);
    }

    [Fact]
    public async Task MarkDirty_AfterEachPass_WritesChainOnTheNewETag()
    {
        var storage = new CountingBatchedStorage();
        var (queue, factory) = Start(storage);
        var (state, context) = await LoadAsync(factory, "a");

        Set(state, 1);
        await AdvanceAsync(queue, Interval);
        var first = state.ETag;
        Set(state, 2);
        await AdvanceAsync(queue, Interval);

        Assert.NotNull(first);
        Assert.NotEqual(first, state.ETag);
        Assert.Equal((await storage.ReadStateAsync(CounterGrainDescriptor.GrainType, "a")).ETag, state.ETag);
        Assert.Equal(2, await storage.StoredTotalAsync(CounterGrainDescriptor.GrainType, "a"));
        Assert.Equal(0, context.DeactivationRequests);
    }

    [Fact]
    public async Task Pass_StorageNotBatched_WritesEachStateIndividually()
    {
        var storage = new CountingStorage();
        var (queue, factory) = Start(storage);
        for (var i = 0; i < 3; i++)
            Set((await LoadAsync(factory, $"g{i}")).State, i + 1);

        await AdvanceAsync(queue, Interval);

        Assert.Equal(3, storage.SingleWrites);
        Assert.Equal(3, await storage.StoredTotalAsync(CounterGrainDescriptor.GrainType, "g2"));
        Assert.Equal(0, queue.PendingCount);
    }

    [Fact]
    public async Task LoadAsync_StoredState_RestoresStateAndETag()
    {
        var storage = new CountingBatchedStorage();
        var etag = await storage.WriteStateAsync(CounterGrainDescriptor.GrainType, "a", CounterState.Encode(42), null);
        var (_, factory) = Start(storage);

        var (state, _) = await LoadAsync(factory, "a");
        var (empty, _) = await LoadAsync(factory, "b");

        Assert.Equal(new CounterState(42), state.State);
        Assert.Equal(etag, state.ETag);
        Assert.True(state.RecordExists);
        Assert.Equal(new CounterState(0), empty.State);
        Assert.False(empty.RecordExists);
    }

    [Fact]
    public async Task Create_NamedState_StoredUnderTypeSlashName()
    {
        var storage = new CountingBatchedStorage();
        var (_, factory) = Start(storage);
        var context = new RecordingGrainContext(new GrainId("counter", "a"), _time);
        var state = factory.Create(context, "history", static () => new CounterState(0));
        await state.LoadAsync();

        Set(state, 7);
        await state.FlushAsync();

        Assert.Equal(7, await storage.StoredTotalAsync("counter/history", "a"));
        Assert.Null(await storage.StoredTotalAsync("counter", "a"));
        Assert.Throws<ArgumentException>(() => factory.Create(context, "", static () => new CounterState(0)));
    }

    [Fact]
    public async Task FlushAsync_DirtyState_WritesAtOnceAndNothingIsLeftForThePass()
    {
        var storage = new CountingBatchedStorage();
        var (queue, factory) = Start(storage);
        var (state, _) = await LoadAsync(factory, "a");
        Set(state, 5);

        await state.FlushAsync();
        Assert.Equal(1, storage.SingleWrites);
        Assert.Equal(5, await storage.StoredTotalAsync(CounterGrainDescriptor.GrainType, "a"));
        Assert.False(state.IsDirty);

        await AdvanceAsync(queue, Interval);
        Assert.Empty(storage.Batches);
        Assert.Equal(0, queue.PendingCount);
        await state.FlushAsync();
        Assert.Equal(1, storage.SingleWrites);
    }

    [Fact]
    public async Task Pass_StorageDown_KeepsStateQueuedAndRetriesNextInterval()
    {
        var storage = new CountingBatchedStorage();
        var (queue, factory) = Start(storage);
        var (state, context) = await LoadAsync(factory, "a");
        Set(state, 1);

        storage.Down = true;
        await AdvanceAsync(queue, Interval);
        Assert.Equal(1, queue.PendingCount);
        Assert.True(state.IsDirty);
        await AdvanceAsync(queue, Interval);
        Set(state, 2); // newer data while the database is down replaces the queued snapshot

        storage.Down = false;
        await AdvanceAsync(queue, Interval);

        Assert.Equal(2, await storage.StoredTotalAsync(CounterGrainDescriptor.GrainType, "a"));
        Assert.Equal(0, queue.PendingCount);
        Assert.False(state.IsDirty);
        Assert.Equal(0, context.DeactivationRequests);
    }

    [Fact]
    public async Task FlushAsync_StorageDown_ThrowsAndWriteBehindWritesItLater()
    {
        var storage = new CountingBatchedStorage();
        var (queue, factory) = Start(storage);
        var (state, _) = await LoadAsync(factory, "a");
        Set(state, 3);

        storage.Down = true;
        await Assert.ThrowsAsync<IOException>(() => state.FlushAsync().AsTask());
        Assert.Equal(1, queue.PendingCount);

        storage.Down = false;
        await AdvanceAsync(queue, Interval);

        Assert.Equal(3, await storage.StoredTotalAsync(CounterGrainDescriptor.GrainType, "a"));
    }

    [Fact]
    public async Task Pass_ETagConflict_RetiresStateAndDeactivatesGrain()
    {
        var storage = new CountingBatchedStorage();
        var (queue, factory) = Start(storage);
        var (state, context) = await LoadAsync(factory, "a");
        await storage.WriteStateAsync(CounterGrainDescriptor.GrainType, "a", CounterState.Encode(99), null); // another activation wrote it
        Set(state, 1);

        await AdvanceAsync(queue, Interval);

        Assert.Equal(1, context.DeactivationRequests);
        Assert.Equal(99, await storage.StoredTotalAsync(CounterGrainDescriptor.GrainType, "a"));
        Set(state, 2); // retired: ignored
        Assert.False(state.IsDirty);
        Assert.Equal(0, queue.PendingCount);
        await state.FlushAsync();
        Assert.Equal(99, await storage.StoredTotalAsync(CounterGrainDescriptor.GrainType, "a"));
    }

    [Fact]
    public async Task FlushAsync_ETagConflict_ThrowsInconsistentState()
    {
        var storage = new CountingBatchedStorage();
        var (_, factory) = Start(storage);
        var (state, context) = await LoadAsync(factory, "a");
        await storage.WriteStateAsync(CounterGrainDescriptor.GrainType, "a", CounterState.Encode(99), null);
        Set(state, 1);

        await Assert.ThrowsAsync<InconsistentStateException>(() => state.FlushAsync().AsTask());

        Assert.Equal(1, context.DeactivationRequests);
        Assert.Equal(99, await storage.StoredTotalAsync(CounterGrainDescriptor.GrainType, "a"));
    }

    [Fact]
    public async Task Enqueue_OverCap_DropsOldestAndKeepsNewest()
    {
        var storage = new CountingBatchedStorage();
        var (queue, factory) = Start(storage, maxPending: 2);
        var (a, _) = await LoadAsync(factory, "a");
        var (b, _) = await LoadAsync(factory, "b");
        var (c, _) = await LoadAsync(factory, "c");

        Set(a, 1);
        Set(b, 2);
        Set(c, 3);
        Assert.Equal(2, queue.PendingCount);
        Assert.False(a.IsDirty);
        await AdvanceAsync(queue, Interval);

        Assert.Null(await storage.StoredTotalAsync(CounterGrainDescriptor.GrainType, "a"));
        Assert.Equal(2, await storage.StoredTotalAsync(CounterGrainDescriptor.GrainType, "b"));
        Assert.Equal(3, await storage.StoredTotalAsync(CounterGrainDescriptor.GrainType, "c"));
    }

    [Fact]
    public async Task StopAsync_Queued_WritesEverythingWithoutATick()
    {
        var storage = new CountingBatchedStorage();
        var (queue, factory) = Start(storage);
        for (var i = 0; i < 3; i++)
            Set((await LoadAsync(factory, $"g{i}")).State, i + 1);

        await queue.StopAsync(CancellationToken.None);

        Assert.Equal(0, queue.PendingCount);
        Assert.Single(storage.Batches);
        Assert.Equal(3, await storage.StoredTotalAsync(CounterGrainDescriptor.GrainType, "g2"));
    }

    [Fact]
    public async Task Metrics_OkConflictErrorAndBatchSize_Recorded()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var writes = new List<(long Value, string Result)>();
        var batchSizes = new List<int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meterFactory) && instrument.Meter.Name == WriteBehindQueue.MeterName)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "granary.silo.storage_writes")
                lock (writes) writes.Add((value, (string)tags[0].Value!));
        });
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (instrument.Name == "granary.silo.storage_batch_size")
                lock (batchSizes) batchSizes.Add(value);
        });
        listener.Start();
        var storage = new CountingBatchedStorage();
        var (queue, factory) = Start(storage, meterFactory: meterFactory);
        var (a, _) = await LoadAsync(factory, "a");
        var (b, _) = await LoadAsync(factory, "b");
        await storage.WriteStateAsync(CounterGrainDescriptor.GrainType, "b", CounterState.Encode(9), null);

        Set(a, 1);
        Set(b, 1);
        await AdvanceAsync(queue, Interval); // a ok, b conflict
        Set(a, 2);
        storage.Down = true;
        await AdvanceAsync(queue, Interval); // a error
        var pending = 0;
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (instrument.Name == "granary.silo.write_behind_pending")
                pending = value;
        });
        listener.RecordObservableInstruments();

        Assert.Equal([(1L, "ok"), (1L, "conflict"), (1L, "error")], writes.OrderBy(w => w.Result == "ok" ? 0 : w.Result == "conflict" ? 1 : 2));
        Assert.Equal([2, 1], batchSizes);
        Assert.Equal(1, pending);
    }
}
