using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Granary.Runtime.Catalog;
using Granary.Runtime.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Storage;

/// <summary>
/// The silo's write-behind queue for grain state (<see cref="PersistentState{T}"/>): grains whose
/// state was marked dirty wait here, once each however often they were marked (the newest snapshot
/// replaces the older one), and every <see cref="SiloOptions.WriteBehindIntervalMs"/> one pass
/// stores them all — in one <see cref="IBatchedGrainStorage.WriteManyAsync"/> call per
/// <see cref="MaxBatchSize"/> grains, or one <see cref="IGrainStorage.WriteStateAsync"/> each when the
/// storage is not batched.
/// </summary>
/// <remarks>
/// <para><b>Failures.</b> An etag conflict retires that grain's state and deactivates its
/// activation (<see cref="DeactivationReason.Faulted"/>). When the store cannot be reached the
/// snapshots stay queued and the next pass retries them (a retried write whose first attempt did
/// land meets a conflict, which deactivates the grain so its next activation re-reads: safe).
/// Memory is bounded by <see cref="SiloOptions.WriteBehindMaxPending"/> grains; beyond it the
/// oldest waiting snapshot is dropped, counted and logged.</para>
/// <para><b>Shutdown.</b> Registered before the catalog, so the host stops it after the catalog
/// has deactivated every grain (hosted services stop in reverse registration order): its
/// <see cref="StopAsync"/> then writes everything still queued, including what grains marked dirty
/// while deactivating; <see cref="StoppedAsync"/> writes once more whatever a late flush left queued.</para>
/// <para><b>Metrics</b> (meter <c>Granary.Silo</c>): <c>granary.silo.storage_writes</c> (counter,
/// {write}, tag <c>result</c> = <c>ok</c>, <c>conflict</c> or <c>error</c>),
/// <c>granary.silo.storage_batch_size</c> (histogram, {write}: grains per storage call),
/// <c>granary.silo.write_behind_pending</c> (observable gauge, {grain}: grains waiting) and
/// <c>granary.silo.write_behind_dropped</c> (counter, {grain}: snapshots dropped over the cap).</para>
/// </remarks>
internal sealed class WriteBehindQueue : IHostedLifecycleService, IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Granary.Silo";

    /// <summary>Most grains written by one storage call (a pass with more makes several calls).</summary>
    public const int MaxBatchSize = 1_000;

    private static readonly KeyValuePair<string, object?> s_ok = new("result", "ok");
    private static readonly KeyValuePair<string, object?> s_conflict = new("result", "conflict");
    private static readonly KeyValuePair<string, object?> s_error = new("result", "error");

    private readonly ConcurrentQueue<PersistentStateSlot> _queue = new();
    private readonly SemaphoreSlim _passLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly IGrainStorage _storage;
    private readonly IBatchedGrainStorage? _batched;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TimeSpan _interval;
    private readonly int _maxPending;
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _writes;
    private readonly Histogram<int> _batchSize;
    private readonly Counter<long> _dropped;
    private ITimer? _timer;
    private Task _lastPass = Task.CompletedTask;
    private int _count;
    private long _droppedSinceLog;

    public WriteBehindQueue(IGrainStorage storage, IOptions<SiloOptions> options, TimeProvider timeProvider, ILogger<WriteBehindQueue> logger, IMeterFactory? meterFactory = null)
    {
        _storage = storage;
        _batched = storage as IBatchedGrainStorage;
        _timeProvider = timeProvider;
        _logger = logger;
        _interval = TimeSpan.FromMilliseconds(options.Value.WriteBehindIntervalMs);
        _maxPending = options.Value.WriteBehindMaxPending;
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _writes = _meter.CreateCounter<long>("granary.silo.storage_writes", "{write}", "Grain state writes, by result (ok, conflict, error).");
        _batchSize = _meter.CreateHistogram<int>("granary.silo.storage_batch_size", "{write}", "Grain states written by one storage call.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000] });
        _dropped = _meter.CreateCounter<long>("granary.silo.write_behind_dropped", "{grain}", "Unwritten grain states dropped because the write-behind queue was over its cap.");
        _meter.CreateObservableGauge("granary.silo.write_behind_pending", () => Volatile.Read(ref _count), "{grain}", "Grains whose state waits for write-behind.");
    }

    /// <summary>Grains waiting in the queue (a grain counts once however often it was marked dirty).</summary>
    public int PendingCount => Volatile.Read(ref _count);

    /// <summary>The interval between passes.</summary>
    public TimeSpan Interval => _interval;

    /// <summary>The pass started by the last timer tick (for tests).</summary>
    internal Task LastPass => Volatile.Read(ref _lastPass);

    /// <summary>Queues <paramref name="slot"/> unless it is queued already. Safe from any thread; lock-free.</summary>
    public void Enqueue(PersistentStateSlot slot)
    {
        if (Interlocked.CompareExchange(ref slot.InQueue, 1, 0) != 0)
            return;
        _queue.Enqueue(slot);
        if (Interlocked.Increment(ref _count) > _maxPending && TryDequeue(out var oldest) && oldest.DropPending())
        {
            _dropped.Add(1);
            Interlocked.Increment(ref _droppedSinceLog);
        }
    }

    private bool TryDequeue(out PersistentStateSlot slot)
    {
        if (!_queue.TryDequeue(out slot!))
            return false;
        Interlocked.Decrement(ref _count);
        Volatile.Write(ref slot.InQueue, 0);
        return true;
    }

    /// <summary>Writes <paramref name="slot"/>'s pending snapshot now (<see cref="PersistentState{T}.FlushAsync"/>).</summary>
    public async ValueTask WriteNowAsync(PersistentStateSlot slot, CancellationToken cancellationToken)
    {
        await slot.WriteLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!slot.TryTake(out var write))
                return;
            string etag;
            try
            {
                etag = await _storage.WriteStateAsync(slot.StorageType, slot.Key, write.Payload, write.ExpectedETag, cancellationToken).ConfigureAwait(false);
            }
            catch (InconsistentStateException)
            {
                OnConflict(slot, write);
                throw;
            }
            catch
            {
                _writes.Add(1, s_error);
                if (slot.Failed(write))
                    Enqueue(slot);
                throw;
            }
            slot.Written(write, etag);
            _writes.Add(1, s_ok);
        }
        finally
        {
            slot.WriteLock.Release();
        }
    }

    /// <summary>
    /// One pass: writes the grains queued when it starts, <see cref="MaxBatchSize"/> per storage call;
    /// stops at the first call that fails (the store is unreachable: the rest waits for the next pass).
    /// </summary>
    /// <returns>How many snapshots were sent to storage, and whether a storage call failed.</returns>
    internal async Task<(int Written, bool Failed)> RunPassAsync(CancellationToken cancellationToken)
    {
        ReportDrops();
        var budget = Volatile.Read(ref _count);
        var written = 0;
        while (budget > 0)
        {
            var (dequeued, sent, failed) = await WriteBatchAsync(Math.Min(budget, MaxBatchSize), cancellationToken).ConfigureAwait(false);
            written += sent;
            if (failed)
                return (written, true);
            if (dequeued == 0)
                break;
            budget -= dequeued;
        }
        return (written, false);
    }

    private async Task<(int Dequeued, int Sent, bool Failed)> WriteBatchAsync(int max, CancellationToken cancellationToken)
    {
        var taken = new List<(PersistentStateSlot Slot, PersistentStateSlot.PendingWrite Write)>();
        List<PersistentStateSlot>? skipped = null;
        HashSet<(string, string)>? keys = null;
        var dequeued = 0;
        while (dequeued < max && TryDequeue(out var slot))
        {
            dequeued++;
            // A slot being flushed by its grain right now, or a second activation's slot of a grain already in this batch, waits for the next pass.
            if (!slot.WriteLock.Wait(0))
            {
                (skipped ??= []).Add(slot);
                continue;
            }
            if (!(keys ??= []).Add((slot.StorageType, slot.Key)))
            {
                slot.WriteLock.Release();
                (skipped ??= []).Add(slot);
                continue;
            }
            if (slot.TryTake(out var write))
                taken.Add((slot, write));
            else
                slot.WriteLock.Release();
        }
        if (skipped is not null)
        {
            foreach (var slot in skipped)
                Enqueue(slot);
        }
        if (taken.Count == 0)
            return (dequeued, 0, false);

        _batchSize.Record(taken.Count);
        var done = 0;
        try
        {
            if (_batched is not null)
            {
                var writes = new GrainWrite[taken.Count];
                for (var i = 0; i < taken.Count; i++)
                    writes[i] = new GrainWrite(taken[i].Slot.StorageType, taken[i].Slot.Key, taken[i].Write.Payload, taken[i].Write.ExpectedETag);
                var results = await _batched.WriteManyAsync(writes, cancellationToken).ConfigureAwait(false);
                if (results.Count != taken.Count)
                    throw new InvalidOperationException($"The storage answered {results.Count} results to a batch of {taken.Count} writes.");
                for (; done < taken.Count; done++)
                {
                    var (slot, write) = taken[done];
                    if (results[done].NewETag is { } etag)
                        OnWritten(slot, write, etag);
                    else
                        OnConflict(slot, write);
                }
            }
            else
            {
                for (; done < taken.Count; done++)
                {
                    var (slot, write) = taken[done];
                    string etag;
                    try
                    {
                        etag = await _storage.WriteStateAsync(slot.StorageType, slot.Key, write.Payload, write.ExpectedETag, cancellationToken).ConfigureAwait(false);
                    }
                    catch (InconsistentStateException)
                    {
                        OnConflict(slot, write);
                        continue;
                    }
                    OnWritten(slot, write, etag);
                }
            }
            return (dequeued, taken.Count, false);
        }
        catch (Exception e)
        {
            var remaining = taken.Count - done;
            _writes.Add(remaining, s_error);
            StorageLog.WriteFailed(_logger, e, remaining);
            for (var i = done; i < taken.Count; i++)
            {
                var (slot, write) = taken[i];
                if (slot.Failed(write))
                    Enqueue(slot);
            }
            return (dequeued, taken.Count, true);
        }
        finally
        {
            foreach (var (slot, _) in taken)
                slot.WriteLock.Release();
        }
    }

    private void OnWritten(PersistentStateSlot slot, PersistentStateSlot.PendingWrite write, string etag)
    {
        slot.Written(write, etag);
        _writes.Add(1, s_ok);
    }

    private void OnConflict(PersistentStateSlot slot, PersistentStateSlot.PendingWrite write)
    {
        _writes.Add(1, s_conflict);
        if (!slot.Conflicted(write))
            return;
        StorageLog.Conflict(_logger, slot.ToString());
        var context = slot.Context;
        context.Post(() =>
        {
            if (context is ActivationData activation)
                activation.StartDeactivation(DeactivationReason.Faulted);
            else
                context.DeactivateOnIdle();
            return ValueTask.CompletedTask;
        });
    }

    private void ReportDrops()
    {
        var dropped = Interlocked.Exchange(ref _droppedSinceLog, 0);
        if (dropped > 0)
            StorageLog.Dropped(_logger, _maxPending, dropped);
    }

    private void OnTick()
    {
        if (!_passLock.Wait(0))
            return; // the previous pass is still running: ticks never pile up
        Volatile.Write(ref _lastPass, TickAsync());
    }

    private async Task TickAsync()
    {
        try
        {
            await RunPassAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            StorageLog.PassFailed(_logger, e);
        }
        finally
        {
            _passLock.Release();
        }
    }

    /// <summary>Writes everything queued, pass after pass, until the queue is empty, a storage call fails, or <paramref name="cancellationToken"/> fires.</summary>
    /// <returns>How many snapshots were written.</returns>
    internal async Task<int> FlushAllAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        try
        {
            await _passLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            StorageLog.ShutdownLost(_logger, PendingCount);
            return 0;
        }
        try
        {
            while (PendingCount > 0 && !cancellationToken.IsCancellationRequested)
            {
                var (written, failed) = await RunPassAsync(cancellationToken).ConfigureAwait(false);
                total += written;
                if (failed || written == 0)
                    break;
            }
        }
        finally
        {
            _passLock.Release();
        }
        if (total > 0)
            StorageLog.ShutdownFlushed(_logger, total);
        if (PendingCount > 0)
            StorageLog.ShutdownLost(_logger, PendingCount);
        return total;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer ??= _timeProvider.CreateTimer(static state => ((WriteBehindQueue)state!).OnTick(), this, _interval, _interval);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops the timer and writes everything queued (runs after the catalog stopped: see the remarks).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_timer is { } timer)
            await timer.DisposeAsync().ConfigureAwait(false);
        await FlushAllAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes whatever a flush that failed late left queued (after every hosted service stopped).</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (PendingCount > 0)
            await FlushAllAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _stopping.Cancel();
        if (_ownsMeter)
            _meter.Dispose();
    }
}
