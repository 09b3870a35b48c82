using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Granary.Runtime.Hosting;
using Granary.Runtime.Invocation;
using Granary.Runtime.Membership;
using Granary.Runtime.Messaging;
using Granary.Runtime.Placement;
using Granary.Runtime.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Catalog;

/// <summary>
/// The silo's grain catalog (Orleans: <c>Catalog</c>): the activations this silo hosts, keyed by
/// grain id, and the entry point of every incoming call. A call is checked for a known grain
/// type, then for a valid lease (a fenced silo answers WrongSilo without an owner), then for
/// ownership (rendezvous placement over the current membership view: a call for a grain this
/// silo does not own is redirected, never answered), then runs as a turn of the grain's single
/// activation, created on first call. A call carrying a newer view version than the silo's asks
/// membership for an early re-read (without waiting for it). On every view change the activations
/// this silo no longer owns are deactivated (<see cref="DeactivationReason.OwnershipLost"/>), and all
/// of them when this incarnation is declared Dead. Idle activations are collected every
/// <see cref="SiloOptions.CollectionIntervalMs"/>; at stop every activation is deactivated.
/// </summary>
/// <remarks>
/// Limits: at most <see cref="SiloOptions.MaxActivations"/> live activations (deactivating ones do not
/// count; a slot is reserved before an activation is added, so the limit is never exceeded). A call that
/// needs one more first sheds the least recently used idle activations (<see cref="SiloOptions.ActivationShedPercent"/>
/// of the limit, at most one pass per second, O(n log n) in the activations), else fails with
/// <c>overloaded</c>. Under memory pressure (<see cref="SiloOptions.MemoryPressureFraction"/>) each collection
/// pass also deactivates activations idle longer than <see cref="SiloOptions.MemoryPressureIdleTimeoutMs"/>.
/// Both are logged and counted (<see cref="CatalogMetrics"/>).
/// </remarks>
internal sealed class Catalog : IUtf8IncomingCallHandler, IActivationDirectory, IHostedService, IAsyncDisposable
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> _activations = new(GrainIdComparer.Instance);
    private readonly ConcurrentDictionary<GrainId, ActivationData>.AlternateLookup<Utf8GrainId> _activationsByUtf8;
    private readonly Dictionary<string, GrainTypeInfo> _types = new(StringComparer.Ordinal);
    private readonly IMembershipViewProvider _membership;
    private readonly ILocalSiloMembership? _local;
    private readonly SiloAddress _configuredSelf;
    private readonly TimeSpan _collectionInterval;
    private readonly long _idleTimeoutTimestamp;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly object _shedLock = new();
    private readonly int _maxActivations;
    private readonly int _shedBatch;
    private readonly long _shedMinIntervalTicks;
    private readonly double _memoryPressureFraction;
    private readonly long _pressureIdleTimeoutTimestamp;
    private readonly int _pressureIdleTimeoutMs;
    private readonly IMemoryReader _memory;
    private readonly CatalogMetrics _metrics;
    private long _liveActivations;
    private long _lastShedTimestamp = long.MinValue;
    private int _underMemoryPressure;
    private ITimer? _collector;
    private ViewCache _viewCache = new(MembershipView.Empty);
    private SiloText _selfText;
    private volatile bool _stopping;
    private int _stopped;
    private long _callsHandled;

    public Catalog(
        IServiceProvider services,
        GrainInterfaceRegistry registry,
        IEnumerable<GrainClassRegistration> grainClasses,
        IMembershipViewProvider membership,
        ILocalSiloDetails localSilo,
        IOptions<SiloOptions> options,
        TimeProvider timeProvider,
        ILogger<Catalog> logger,
        IMeterFactory? meterFactory = null,
        IMemoryReader? memoryReader = null)
    {
        Services = services;
        _activationsByUtf8 = _activations.GetAlternateLookup<Utf8GrainId>();
        _membership = membership;
        _local = services.GetService<ILocalSiloMembership>();
        _configuredSelf = localSilo.SiloAddress;
        _selfText = new SiloText(_configuredSelf);
        TimeProvider = timeProvider;
        Logger = logger;
        if (options.Value.TurnLogPath is { Length: > 0 } turnLogPath)
            TurnLog = new TurnLog(turnLogPath, timeProvider, logger);
        _collectionInterval = TimeSpan.FromMilliseconds(options.Value.CollectionIntervalMs);
        _idleTimeoutTimestamp = options.Value.IdleTimeoutMs * timeProvider.TimestampFrequency / 1000;
        _maxActivations = options.Value.MaxActivations;
        _shedBatch = (int)Math.Max(1, (long)_maxActivations * options.Value.ActivationShedPercent / 100);
        _shedMinIntervalTicks = timeProvider.TimestampFrequency; // one shed pass per second at most
        _memoryPressureFraction = options.Value.MemoryPressureFraction;
        _pressureIdleTimeoutMs = options.Value.MemoryPressureIdleTimeoutMs;
        _pressureIdleTimeoutTimestamp = _pressureIdleTimeoutMs * timeProvider.TimestampFrequency / 1000;
        _memory = memoryReader ?? GcMemoryReader.Instance;
        _metrics = new CatalogMetrics(meterFactory, () => Volatile.Read(ref _liveActivations), () => Volatile.Read(ref _underMemoryPressure));
        foreach (var registration in grainClasses)
        {
            if (!registry.TryGetByGrainType(registration.GrainType, out var descriptor))
                throw new InvalidOperationException($"Grain class {registration.GrainClass.Name} implements grain type '{registration.GrainType}', which has no registered descriptor.");
            if (_types.TryGetValue(registration.GrainType, out var existing) && existing.GrainClass != registration.GrainClass)
                throw new InvalidOperationException($"Grain type '{registration.GrainType}' has two implementations: {existing.GrainClass.Name} and {registration.GrainClass.Name}.");
            _types[registration.GrainType] = new GrainTypeInfo(descriptor, registration.GrainClass);
        }
        _membership.ViewChanged += OnViewChanged;
        if (_local is not null)
            _local.OwnershipRevoked += OnOwnershipRevoked;
    }

    internal IServiceProvider Services { get; }

    internal TimeProvider TimeProvider { get; }

    internal ILogger Logger { get; }

    /// <summary>Canceled when the host's stop deadline passes; given to OnActivateAsync, OnDeactivateAsync and timer callbacks.</summary>
    internal CancellationToken ShutdownToken => _shutdown.Token;

    /// <summary>This silo's current incarnation (a new generation after a rejoin).</summary>
    internal SiloAddress LocalSilo => _local?.Self ?? _configuredSelf;

    /// <summary>True when this silo holds a valid lease and may serve grains (see <see cref="ILocalSiloMembership.CanServe"/>).</summary>
    internal bool CanServe => _local?.CanServe ?? true;

    /// <summary>The per-turn log, or null when <see cref="SiloOptions.TurnLogPath"/> is not set.</summary>
    internal TurnLog? TurnLog { get; }

    /// <summary><see cref="LocalSilo"/> rendered once per incarnation, for the turn log.</summary>
    internal string LocalSiloText
    {
        get
        {
            var self = LocalSilo;
            var text = _selfText;
            if (!ReferenceEquals(text.Silo, self))
                _selfText = text = new SiloText(self);
            return text.Text;
        }
    }

    public long ViewVersion => _membership.Current.Version;

    public int Count => _activations.Count;

    /// <summary>Activations counted against <see cref="SiloOptions.MaxActivations"/>: added and not yet deactivating.</summary>
    internal long LiveActivations => Volatile.Read(ref _liveActivations);

    /// <summary>True while the last collection pass found the heap above <see cref="SiloOptions.MemoryPressureFraction"/>.</summary>
    internal bool UnderMemoryPressure => Volatile.Read(ref _underMemoryPressure) == 1;

    /// <summary>[dash-api] Calls that reached <see cref="HandleAsync"/> (one interlocked increment per call).</summary>
    public long CallsHandled => Volatile.Read(ref _callsHandled);

    public IReadOnlyList<GrainId> GetActivations(string grainType)
    {
        var result = new List<GrainId>();
        foreach (var (id, activation) in _activations)
        {
            if (string.Equals(id.Type, grainType, StringComparison.Ordinal) && activation.IsLive)
                result.Add(id);
        }
        return result;
    }

    /// <summary>The live activation of <paramref name="grainId"/>, if any (for tests and diagnostics).</summary>
    internal ActivationData? FindActivation(GrainId grainId) => _activations.TryGetValue(grainId, out var a) ? a : null;

    public ValueTask<CallOutcome> HandleAsync(GrainRequestHeader header, ReadOnlyMemory<byte> arguments, long callerViewVersion, IBufferWriter<byte> result, CancellationToken cancellationToken) =>
        Handle(header.GrainId, null, header.MethodId, arguments, callerViewVersion, result);

    /// <inheritdoc />
    public bool TryHandleUtf8(Utf8GrainId id, ushort methodId, ReadOnlyMemory<byte> arguments, long callerViewVersion, IBufferWriter<byte> result, out GrainId grainId, out ValueTask<CallOutcome> outcome)
    {
        if (!_activationsByUtf8.TryGetValue(id, out grainId, out var activation))
        {
            outcome = default;
            return false;
        }
        outcome = Handle(grainId, activation, methodId, arguments, callerViewVersion, result);
        return true;
    }

    /// <summary>Runs one call; <paramref name="known"/> is the activation found for <paramref name="grainId"/>, if the caller looked it up.</summary>
    private ValueTask<CallOutcome> Handle(GrainId grainId, ActivationData? known, ushort methodId, ReadOnlyMemory<byte> arguments, long callerViewVersion, IBufferWriter<byte> result)
    {
        Interlocked.Increment(ref _callsHandled);
        try
        {
            if (_stopping)
                return new(ShuttingDown());
            GrainTypeInfo? type = known?.TypeInfo;
            if (type is null && !_types.TryGetValue(grainId.Type, out type))
                return new(CallOutcome.Failed("unknown_grain_type", $"Grain type '{grainId.Type}' is not hosted by silo {LocalSilo}."));
            var view = _membership.Current;
            if (callerViewVersion > view.Version)
                _local?.RequestRefresh();
            // Fenced (no valid lease): serve nothing, name no owner; the caller re-reads its view.
            if (!CanServe)
                return new(CallOutcome.Redirect(null));
            var self = LocalSilo;
            var owner = SelectOwner(grainId, known, view);
            if (owner != self)
                return new(CallOutcome.Redirect(owner?.Endpoint));

            while (true)
            {
                var activation = known;
                known = null;
                if (activation is null && !_activations.TryGetValue(grainId, out activation))
                {
                    if (!TryReserveActivation())
                        return new(Refused(grainId));
                    var fresh = new ActivationData(this, type, grainId, predecessor: null);
                    if (!_activations.TryAdd(grainId, fresh))
                    {
                        // Another call added it first: use that one.
                        ReleaseActivation();
                        continue;
                    }
                    activation = fresh;
                }
                if (!ReferenceEquals(_membership.Current, view))
                {
                    // The view moved while this call was being admitted: decide again, so an
                    // activation never outlives a view change that took its grain away.
                    view = _membership.Current;
                    owner = SelectOwner(grainId, activation, view);
                    if (owner != self)
                    {
                        activation.StartDeactivation(DeactivationReason.OwnershipLost);
                        return new(CallOutcome.Redirect(owner?.Endpoint));
                    }
                }
                if (activation.TryEnterInline())
                    return activation.RunInline(methodId, arguments, result);
                var turn = CallTurn.Rent(methodId, arguments, result);
                if (activation.TryEnqueue(turn, isCall: true))
                {
                    // A call that slipped past the stopping check still runs, then the activation goes.
                    if (_stopping)
                        activation.StartDeactivation(DeactivationReason.ShuttingDown);
                    return turn.AsValueTask();
                }
                turn.ReturnUnused();
                if (_stopping)
                    return new(ShuttingDown());
                // The mailbox closed (deactivating): a fresh activation takes the call, after the old one finishes.
                if (!TryReserveActivation())
                    return new(Refused(grainId));
                if (!_activations.TryUpdate(grainId, new ActivationData(this, type, grainId, activation.Completion), activation))
                    ReleaseActivation();
            }
        }
        catch (Exception e)
        {
            CatalogLog.HandleFailed(Logger, e, grainId);
            return new(CallOutcome.Failed("grain_error", e.Message));
        }
    }

    private SiloAddress? SelectOwner(GrainId grainId, ActivationData? activation, MembershipView current)
    {
        var cache = _viewCache;
        if (!ReferenceEquals(cache.View, current))
            _viewCache = cache = new ViewCache(current);
        var silos = cache.Silos;
        if (silos.Length <= 1)
            return silos.Length == 1 ? silos[0] : null;
        var grainHash = activation?.PlacementHash ?? RendezvousPlacement.HashGrain(grainId);
        return silos[RendezvousPlacement.SelectOwnerIndex(grainHash, cache.SiloHashes, silos)];
    }

    private CallOutcome Refused(GrainId grainId) =>
        CallOutcome.Failed("overloaded", $"Silo {LocalSilo} holds its maximum of {_maxActivations} activations and none is idle; {grainId} was not activated.");

    /// <summary>Takes one of the <see cref="SiloOptions.MaxActivations"/> slots, shedding idle activations when none is free; false (counted) when none could be made.</summary>
    private bool TryReserveActivation()
    {
        if (Interlocked.Increment(ref _liveActivations) <= _maxActivations)
            return true;
        Interlocked.Decrement(ref _liveActivations);
        ShedForRoom();
        if (Interlocked.Increment(ref _liveActivations) <= _maxActivations)
            return true;
        Interlocked.Decrement(ref _liveActivations);
        _metrics.Refused();
        return false;
    }

    private void ReleaseActivation() => Interlocked.Decrement(ref _liveActivations);

    /// <summary>Called once per added activation when it stops counting against the limit (its deactivation started, or its activation failed).</summary>
    internal void OnActivationRetired() => Interlocked.Decrement(ref _liveActivations);

    /// <summary>At the activation limit: one least-recently-used shed pass, unless another ran less than a second ago or room was made meanwhile.</summary>
    private void ShedForRoom()
    {
        lock (_shedLock)
        {
            if (Volatile.Read(ref _liveActivations) < _maxActivations || _stopping)
                return;
            var now = TimeProvider.GetTimestamp();
            if (_lastShedTimestamp != long.MinValue && now - _lastShedTimestamp < _shedMinIntervalTicks)
                return;
            _lastShedTimestamp = now;
            var shed = ShedLeastRecentlyUsed(_shedBatch, now);
            _metrics.Shed(shed, CatalogMetrics.MaxActivationsReason);
            if (shed > 0)
                CatalogLog.ShedForMaxActivations(Logger, shed, _maxActivations);
            else
                CatalogLog.MaxActivationsNoneIdle(Logger, _maxActivations);
        }
    }

    /// <summary>Deactivates up to <paramref name="batch"/> idle activations, least recently called first (<see cref="DeactivationReason.IdleTimeout"/>).</summary>
    internal int ShedLeastRecentlyUsed(int batch, long now)
    {
        var candidates = new List<(long LastCall, ActivationData Activation)>();
        foreach (var (_, activation) in _activations)
        {
            if (activation.TryGetIdleSince(now, out var lastCall))
                candidates.Add((lastCall, activation));
        }
        if (candidates.Count > batch)
            candidates.Sort(static (x, y) => x.LastCall.CompareTo(y.LastCall));
        var count = 0;
        foreach (var (_, activation) in candidates)
        {
            if (count == batch)
                break;
            // Re-checked under the activation's lock: a call that arrived since is not shed.
            if (activation.StartDeactivation(DeactivationReason.IdleTimeout, idleTimeoutTimestamp: 0))
                count++;
        }
        return count;
    }

    private CallOutcome ShuttingDown() => CallOutcome.Failed("shutting_down", $"Silo {LocalSilo} is shutting down.");

    /// <summary>Maps an exception from a grain call to an outcome with a stable code.</summary>
    internal CallOutcome MapException(GrainId grainId, Exception e)
    {
        switch (e)
        {
            case GrainSerializationException:
                return CallOutcome.Failed("bad_request", $"Arguments of a call to {grainId} do not decode: {e.Message}");
            case UnknownGrainMethodException:
                return CallOutcome.Failed("unknown_method", e.Message);
            default:
                CatalogLog.GrainCallFailed(Logger, e, grainId);
                return CallOutcome.Failed("grain_error", $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Called by an activation when it has left (deactivated or failed to activate).</summary>
    internal void OnActivationClosed(ActivationData activation) =>
        _activations.TryRemove(KeyValuePair.Create(activation.GrainId, activation));

    /// <summary>
    /// One pass of idle collection: deactivates activations with no call for longer than the idle timeout;
    /// under memory pressure, then also those idle longer than <see cref="SiloOptions.MemoryPressureIdleTimeoutMs"/>.
    /// </summary>
    /// <returns>Activations whose deactivation this pass started.</returns>
    internal int CollectIdleActivations()
    {
        var count = Collect(_idleTimeoutTimestamp);
        if (count > 0)
            CatalogLog.DeactivatingMany(Logger, count, DeactivationReason.IdleTimeout);
        var reading = _memoryPressureFraction > 0 ? _memory.Read() : default;
        if (!reading.IsAbove(_memoryPressureFraction))
        {
            if (Interlocked.Exchange(ref _underMemoryPressure, 0) == 1)
                CatalogLog.MemoryPressureEnded(Logger, reading.HeapBytes / (1024 * 1024), reading.AvailableBytes / (1024 * 1024));
            return count;
        }
        Volatile.Write(ref _underMemoryPressure, 1);
        // The first pass dated every call seen since the last one, so this one takes only the truly idle.
        var shed = Collect(_pressureIdleTimeoutTimestamp);
        _metrics.Shed(shed, CatalogMetrics.MemoryPressureReason);
        CatalogLog.MemoryPressure(Logger, reading.HeapBytes / (1024 * 1024), reading.AvailableBytes / (1024 * 1024), _memoryPressureFraction, _pressureIdleTimeoutMs, shed);
        return count + shed;
    }

    private int Collect(long idleTimeoutTimestamp)
    {
        var count = 0;
        foreach (var (_, activation) in _activations)
        {
            if (activation.StartDeactivation(DeactivationReason.IdleTimeout, idleTimeoutTimestamp))
                count++;
        }
        return count;
    }

    private void OnViewChanged(MembershipView view)
    {
        // Leaving the view ourselves is handled by StopAsync (shutdown) or OnOwnershipRevoked (declared dead).
        var self = LocalSilo;
        if (_stopping || !view.ActiveSilos.Contains(self))
            return;
        var count = 0;
        foreach (var (id, activation) in _activations)
        {
            if (RendezvousPlacement.SelectOwner(id, view.ActiveSilos) != self && activation.StartDeactivation(DeactivationReason.OwnershipLost))
                count++;
        }
        if (count > 0)
            CatalogLog.DeactivatingMany(Logger, count, DeactivationReason.OwnershipLost);
    }

    /// <summary>This incarnation was declared Dead: its grains belong to others now, so every activation goes.</summary>
    private void OnOwnershipRevoked()
    {
        if (_stopping)
            return;
        var count = 0;
        foreach (var (_, activation) in _activations)
        {
            if (activation.StartDeactivation(DeactivationReason.OwnershipLost))
                count++;
        }
        CatalogLog.DeactivatingMany(Logger, count, DeactivationReason.OwnershipLost);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _collector = TimeProvider.CreateTimer(static state => ((Catalog)state!).CollectIdleActivations(), this, _collectionInterval, _collectionInterval);
        return Task.CompletedTask;
    }

    /// <summary>Refuses new calls, lets queued ones finish, and deactivates every activation (<see cref="DeactivationReason.ShuttingDown"/>).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
            return;
        _stopping = true;
        _membership.ViewChanged -= OnViewChanged;
        if (_local is not null)
            _local.OwnershipRevoked -= OnOwnershipRevoked;
        if (_collector is { } collector)
            await collector.DisposeAsync().ConfigureAwait(false);
        using var deadline = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _shutdown);
        var activations = _activations.Values.ToArray();
        CatalogLog.DeactivatingMany(Logger, activations.Length, DeactivationReason.ShuttingDown);
        foreach (var activation in activations)
            activation.StartDeactivation(DeactivationReason.ShuttingDown);
        try
        {
            await Task.WhenAll(activations.Select(a => a.Completion)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's stop deadline passed; grains still deactivating are abandoned.
        }
        if (TurnLog is { } turnLog)
            await turnLog.DisposeAsync().ConfigureAwait(false);
        _metrics.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        // _shutdown is not disposed: turns abandoned at a missed stop deadline may still read its token.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await StopAsync(timeout.Token).ConfigureAwait(false);
    }

    /// <summary>A silo incarnation and its text form, computed once.</summary>
    private sealed class SiloText(SiloAddress silo)
    {
        public SiloAddress Silo { get; } = silo;

        public string Text { get; } = silo.ToString();
    }

    /// <summary>A view with its silos' placement hashes computed once, so placement neither boxes nor hashes silos per call.</summary>
    private sealed class ViewCache(MembershipView view)
    {
        public MembershipView View { get; } = view;

        public SiloAddress[] Silos { get; } = [.. view.ActiveSilos];

        public ulong[] SiloHashes { get; } = [.. view.ActiveSilos.Select(RendezvousPlacement.HashSilo)];
    }
}
