using System.Buffers;
using Granary.Runtime.Messaging;
using Granary.Runtime.Placement;

namespace Granary.Runtime.Catalog;

/// <summary>
/// One activation of one grain: its instance, its mailbox and its timers; also the grain's
/// <see cref="IGrainContext"/>. The mailbox is turn-based and non-reentrant: turns run one at a
/// time, in arrival order, each awaited to completion before the next starts. A short lock guards
/// only the queue and the state flags (never held across an await); the queue is drained by one
/// loop on the thread pool, or, when the activation is idle, a call runs inline on the caller's
/// thread (no queueing and no allocation when the grain method completes synchronously).
/// </summary>
/// <remarks>
/// Life cycle: Created (in the catalog, no instance) → Activating (first enqueue puts the
/// activation turn in front) → Active → Deactivating (mailbox closed to new turns; the
/// deactivation turn is last) → Deactivated (removed from the catalog). A call that finds the
/// mailbox closed goes to a fresh activation, which waits for this one's deactivation to finish
/// before activating, so state written in <see cref="Grain.OnDeactivateAsync"/> is seen.
/// </remarks>
internal sealed class ActivationData : IGrainContext, IThreadPoolWorkItem
{
    private const int TurnsPerDispatch = 64;

    private enum State
    {
        Created,
        Activating,
        Active,
        Deactivating,
        Deactivated,
    }

    private readonly object _gate = new();
    private readonly Queue<TurnItem> _queue = new();
    private readonly GrainTypeInfo _type;
    private readonly Task? _predecessor;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private List<GrainTimer>? _timers;
    private State _state;
    private bool _running;
    private Grain? _grain;
    private DeactivationReason _deactivationReason;
    private long _lastCallTimestamp;
    private bool _calledSinceCollection;

    public ActivationData(Catalog catalog, GrainTypeInfo type, GrainId grainId, Task? predecessor)
    {
        Catalog = catalog;
        _type = type;
        GrainId = grainId;
        PlacementHash = RendezvousPlacement.HashGrain(grainId);
        _predecessor = predecessor;
        _lastCallTimestamp = catalog.TimeProvider.GetTimestamp();
    }

    public Catalog Catalog { get; }

    public GrainId GrainId { get; }

    /// <summary>The grain's type: its descriptor and class.</summary>
    internal GrainTypeInfo TypeInfo => _type;

    /// <summary><see cref="RendezvousPlacement.HashGrain"/> of <see cref="GrainId"/>, computed once.</summary>
    internal ulong PlacementHash { get; }

    public TimeProvider TimeProvider => Catalog.TimeProvider;

    /// <summary>Completes when the activation has left the catalog (deactivated, or its activation failed). Never faults.</summary>
    public Task Completion => _completion.Task;

    /// <summary>True from creation until the mailbox closes.</summary>
    public bool IsLive
    {
        get
        {
            lock (_gate)
                return _state < State.Deactivating;
        }
    }

    /// <summary>The grain instance once created (for tests and diagnostics).</summary>
    internal Grain? GrainInstance => _grain;

    /// <summary>
    /// Queues a turn. The first enqueue also queues the activation turn in front of it.
    /// Returns false when the mailbox is closed (deactivating or deactivated): the caller must
    /// go to a fresh activation.
    /// </summary>
    public bool TryEnqueue(TurnItem item, bool isCall)
    {
        bool schedule;
        lock (_gate)
        {
            if (_state >= State.Deactivating)
                return false;
            if (_state == State.Created)
            {
                _state = State.Activating;
                _queue.Enqueue(ActivateTurn.Instance);
            }
            _queue.Enqueue(item);
            if (isCall)
                _calledSinceCollection = true;
            schedule = !_running;
            _running = true;
        }
        if (schedule)
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        return true;
    }

    /// <summary>
    /// Claims the mailbox for a call run inline on the caller's thread: only when the activation
    /// is Active, idle, and nothing is queued. Pair with <see cref="ExitInline"/>.
    /// </summary>
    public bool TryEnterInline()
    {
        lock (_gate)
        {
            if (_state != State.Active || _running)
                return false;
            _running = true;
            _calledSinceCollection = true;
            return true;
        }
    }

    /// <summary>Runs one call inline; the mailbox must have been claimed with <see cref="TryEnterInline"/>.</summary>
    public ValueTask<CallOutcome> RunInline(ushort methodId, ReadOnlyMemory<byte> arguments, IBufferWriter<byte> result)
    {
        ValueTask<CallOutcome> pending;
        var stamp = BeginTurn();
        // Checked again at the start of the turn (the catalog checked before claiming the mailbox): a
        // silo frozen in between (SIGSTOP, a long GC pause) may have lost its lease meanwhile, and then
        // the call must not run here; the caller goes elsewhere.
        if (!Catalog.CanServe)
        {
            ExitInline();
            return new ValueTask<CallOutcome>(CallOutcome.Redirect(null));
        }
        try
        {
            pending = InvokeGrainAsync(methodId, arguments, result);
        }
        catch
        {
            ExitInline();
            throw;
        }
        if (pending.IsCompletedSuccessfully)
        {
            var outcome = pending.Result;
            EndTurn(stamp);
            ExitInline();
            return new ValueTask<CallOutcome>(outcome);
        }
        return AwaitInlineAsync(pending, stamp);
    }

    private async ValueTask<CallOutcome> AwaitInlineAsync(ValueTask<CallOutcome> pending, TurnStamp stamp)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        finally
        {
            EndTurn(stamp);
            ExitInline();
        }
    }

    /// <summary>Marks the start of a grain turn for the turn log (nothing when the log is off).</summary>
    internal TurnStamp BeginTurn() =>
        Catalog.TurnLog is { } log ? new TurnStamp(log.NowMicros(), Catalog.ViewVersion) : default;

    /// <summary>Writes the turn started at <paramref name="stamp"/> to the turn log (nothing when the log is off).</summary>
    internal void EndTurn(TurnStamp stamp)
    {
        if (Catalog.TurnLog is { } log)
            log.Append(GrainId, Catalog.LocalSiloText, stamp.ViewVersion, stamp.StartMicros, log.NowMicros());
    }

    private void ExitInline()
    {
        lock (_gate)
        {
            // Turns queued meanwhile (timer ticks, posts, a deactivation) go to the drain loop.
            if (_queue.Count == 0)
            {
                _running = false;
                return;
            }
        }
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute() => _ = DrainAsync();

    private async Task DrainAsync()
    {
        for (var turns = 0; ; turns++)
        {
            if (turns == TurnsPerDispatch)
            {
                // Let other work on the pool run; the mailbox stays claimed (_running stays true).
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                return;
            }
            TurnItem? item;
            lock (_gate)
            {
                if (!_queue.TryDequeue(out item))
                {
                    _running = false;
                    return;
                }
            }
            try
            {
                var turn = item.RunAsync(this);
                if (!turn.IsCompletedSuccessfully)
                    await turn.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                CatalogLog.TurnFailed(Catalog.Logger, e, GrainId);
            }
        }
    }

    /// <summary>Dispatches one call to the grain, mapping failures to outcomes. Never throws.</summary>
    public ValueTask<CallOutcome> InvokeGrainAsync(ushort methodId, ReadOnlyMemory<byte> arguments, IBufferWriter<byte> result)
    {
        ValueTask pending;
        try
        {
            pending = _type.Descriptor.Dispatch((IGrain)_grain!, methodId, arguments, result);
            if (pending.IsCompletedSuccessfully)
            {
                pending.GetAwaiter().GetResult();
                return new ValueTask<CallOutcome>(CallOutcome.Ok);
            }
        }
        catch (Exception e)
        {
            return new ValueTask<CallOutcome>(OnCallFailed(e));
        }
        return AwaitCallAsync(pending);
    }

    private async ValueTask<CallOutcome> AwaitCallAsync(ValueTask pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
            return CallOutcome.Ok;
        }
        catch (Exception e)
        {
            return OnCallFailed(e);
        }
    }

    private CallOutcome OnCallFailed(Exception e)
    {
        var outcome = Catalog.MapException(GrainId, e);
        if (e is Storage.InconsistentStateException)
        {
            // Another activation wrote this grain's state: this one is stale. Deactivate it; the next call re-reads.
            StartDeactivation(DeactivationReason.Faulted);
        }
        return outcome;
    }

    /// <summary>The activation turn: wait for a predecessor's deactivation, create the grain with DI, run OnActivateAsync.</summary>
    internal async ValueTask ActivateAsync()
    {
        if (_predecessor is { } predecessor)
            await predecessor.ConfigureAwait(false);
        try
        {
            var grain = _type.Create(Catalog.Services);
            grain.Context = this;
            _grain = grain;
            await grain.OnActivateAsync(Catalog.ShutdownToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (_state == State.Activating)
                    _state = State.Active;
            }
            CatalogLog.Activated(Catalog.Logger, GrainId);
        }
        catch (Exception e)
        {
            CatalogLog.ActivationFailed(Catalog.Logger, e, GrainId);
            TurnItem[] abandoned;
            bool wasLive;
            lock (_gate)
            {
                wasLive = _state < State.Deactivating;
                _state = State.Deactivated;
                abandoned = _queue.ToArray();
                _queue.Clear();
            }
            if (wasLive)
                Catalog.OnActivationRetired();
            StopTimers();
            var error = new CallError("grain_error", $"Activation of {GrainId} failed: {e.Message}");
            foreach (var item in abandoned)
                item.Abandon(error);
            Catalog.OnActivationClosed(this);
            _completion.TrySetResult();
        }
    }

    /// <summary>
    /// Closes the mailbox and queues the deactivation turn after the turns already queued.
    /// With <paramref name="idleTimeoutTimestamp"/>, only when no turn runs or waits and no call
    /// arrived for that many timestamp ticks (checked under the same lock as enqueue, so a racing
    /// call either lands before the deactivation turn or finds the mailbox closed).
    /// </summary>
    /// <returns>True when this call started the deactivation.</returns>
    public bool StartDeactivation(DeactivationReason reason, long? idleTimeoutTimestamp = null)
    {
        bool schedule;
        bool neverActivated;
        lock (_gate)
        {
            if (_state >= State.Deactivating)
                return false;
            if (idleTimeoutTimestamp is { } idle)
            {
                // Calls only raise a flag (no clock read per call); the collection pass that sees it
                // stamps its own time as the last call's, so an idle grain may live up to one
                // collection interval longer than the idle timeout, never shorter.
                var now = TimeProvider.GetTimestamp();
                if (_calledSinceCollection)
                {
                    _calledSinceCollection = false;
                    _lastCallTimestamp = now;
                    return false;
                }
                if (_running || _queue.Count > 0 || now - _lastCallTimestamp < idle)
                    return false;
            }
            neverActivated = _state == State.Created;
            if (neverActivated)
            {
                _state = State.Deactivated;
                schedule = false;
            }
            else
            {
                _state = State.Deactivating;
                _deactivationReason = reason;
                _queue.Enqueue(DeactivateTurn.Instance);
                schedule = !_running;
                _running = true;
            }
        }
        Catalog.OnActivationRetired();
        if (neverActivated)
        {
            Catalog.OnActivationClosed(this);
            _completion.TrySetResult();
        }
        else if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
        return true;
    }

    /// <summary>
    /// For least-recently-used shedding: true with the time of the last call as the collector knows it
    /// when the activation is idle (live, no turn running or queued, no call since the last collection or
    /// shed pass). A call seen since the last pass is dated <paramref name="now"/> here (as the collector does)
    /// and the activation is not idle.
    /// </summary>
    internal bool TryGetIdleSince(long now, out long lastCallTimestamp)
    {
        lock (_gate)
        {
            lastCallTimestamp = _lastCallTimestamp;
            if (_state >= State.Deactivating)
                return false;
            if (_calledSinceCollection)
            {
                _calledSinceCollection = false;
                _lastCallTimestamp = now;
                return false;
            }
            return !_running && _queue.Count == 0;
        }
    }

    /// <summary>The deactivation turn: stop timers, run OnDeactivateAsync, leave the catalog.</summary>
    internal async ValueTask DeactivateAsync()
    {
        StopTimers();
        var reason = _deactivationReason;
        if (_grain is { } grain)
        {
            try
            {
                await grain.OnDeactivateAsync(reason, Catalog.ShutdownToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                CatalogLog.DeactivationFailed(Catalog.Logger, e, GrainId);
            }
        }
        TurnItem[] leftover;
        lock (_gate)
        {
            _state = State.Deactivated;
            leftover = _queue.ToArray();
            _queue.Clear();
        }
        var error = new CallError("grain_error", $"Activation of {GrainId} was deactivated.");
        foreach (var item in leftover)
            item.Abandon(error);
        CatalogLog.Deactivated(Catalog.Logger, GrainId, reason);
        Catalog.OnActivationClosed(this);
        _completion.TrySetResult();
    }

    internal async ValueTask RunPostedAsync(Func<ValueTask> work)
    {
        var stamp = BeginTurn();
        try
        {
            await work().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            CatalogLog.TurnFailed(Catalog.Logger, e, GrainId);
        }
        EndTurn(stamp);
    }

    public void Post(Func<ValueTask> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        TryEnqueue(new PostedTurn(work), isCall: false);
    }

    public IDisposable RegisterTimer(Func<CancellationToken, ValueTask> callback, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (dueTime < TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(dueTime), dueTime, "Due time must be zero or positive.");
        if (period < TimeSpan.Zero && period != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(period), period, "Period must be zero (one tick), positive, or infinite.");
        var timer = new GrainTimer(this, callback, dueTime, period, TimeProvider);
        lock (_gate)
        {
            if (_state < State.Deactivating)
            {
                (_timers ??= []).Add(timer);
                return timer;
            }
        }
        // The activation is going away and its timers with it: hand back a stopped timer.
        timer.Stop();
        return timer;
    }

    internal void RemoveTimer(GrainTimer timer)
    {
        lock (_gate)
            _timers?.Remove(timer);
    }

    /// <summary>Number of live timers (for tests).</summary>
    internal int TimerCount
    {
        get
        {
            lock (_gate)
                return _timers?.Count ?? 0;
        }
    }

    private void StopTimers()
    {
        GrainTimer[] timers;
        lock (_gate)
        {
            timers = _timers?.ToArray() ?? [];
            _timers?.Clear();
        }
        foreach (var timer in timers)
            timer.Stop();
    }

    public void DeactivateOnIdle() => StartDeactivation(DeactivationReason.ApplicationRequested);
}
