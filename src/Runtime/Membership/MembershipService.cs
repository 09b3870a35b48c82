using Granary.Runtime.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Membership;

/// <summary>
/// This silo's membership agent over any <see cref="IMembershipTable"/> (in-memory or PostgreSQL).
/// </summary>
/// <remarks>
/// <para><b>Join.</b> At start the silo inserts its row as Joining, then moves it to Active
/// (compare-and-swap on the table version, retried after a re-read when another change won). In a
/// host with a server (Kestrel serves the grain port) the move to Active waits for
/// <see cref="StartedAsync"/>, after the server listens, so nobody routes a grain to a silo that
/// cannot accept the connection yet; heartbeats renew the Joining row's lease meanwhile.</para>
/// <para><b>Heartbeat.</b> Every <see cref="SiloOptions.HeartbeatIntervalMs"/> (1 s) it renews its lease
/// to the table's now + <see cref="SiloOptions.LeaseDurationMs"/> (5 s). No version change.</para>
/// <para><b>View.</b> The view is the Active rows at the table version. The table is re-read every
/// <see cref="SiloOptions.MembershipRefreshIntervalMs"/> (2 s), at once when the table signals a change
/// (<see cref="IMembershipChangeNotifier"/>, PostgreSQL NOTIFY), when a caller shows a newer view
/// version (<see cref="RequestRefresh"/>), and just after the earliest lease of another live silo
/// ends, so a dead silo is declared about one lease after its last heartbeat, not one poll later.</para>
/// <para><b>Declaring others dead.</b> On every re-read, rows (other than its own, not Dead) whose lease
/// ended by the table's clock are moved to Dead by compare-and-swap; a lost race re-reads and
/// decides again. Only a silo that is itself serving and has renewed its own lease without a gap
/// for at least one lease length may declare: after an outage of the table every live silo first
/// renews its lease, so nobody is declared dead for the outage alone.</para>
/// <para><b>Self-fence.</b> When the last successful renewal (timed from when it was sent, local
/// monotonic clock) is more than half a lease old, <see cref="CanServe"/> turns false at once (checked
/// on every call): the catalog activates nothing and answers every grain call WrongSilo without an
/// owner. Other silos can declare this one dead only a full lease after its last renewal reached
/// the table, so it has stopped serving at least half a lease before its grains can move. A later
/// successful renewal of the same row (which proves it was never declared Dead) followed by a
/// re-read lifts the fence. When the silo sees its own row Dead (a renewal refused, or a re-read),
/// it raises <see cref="OwnershipRevoked"/> (the catalog deactivates everything) and rejoins as a
/// new generation of the same endpoint: Dead is terminal.</para>
/// <para><b>Stop.</b> ShuttingDown before any other service stops (callers move away while grains
/// deactivate; calls still arriving on an old view are redirected to the new owner, for
/// <see cref="SiloOptions.ShutdownDrainMs"/> before the catalog stops), Dead after every service stopped.</para>
/// <para><b>Single activation, bounded.</b> A silo that lost a grain keeps serving it only until it
/// reads the view that moved the grain (NOTIFY: milliseconds; else the next poll, at most
/// <see cref="SiloOptions.MembershipRefreshIntervalMs"/>) or until its own fence trips (at most half
/// a lease after its last renewal, when it cannot reach the table), plus the turns already queued in
/// the grain's mailbox at that moment. With the defaults the overlap of two owners is therefore at
/// most max(2 s, 2.5 s) = 2.5 s, below the 5 s lease; a silo that died or froze never overlaps its
/// successor, since it fenced half a lease before it could be declared Dead. Durable writes are
/// additionally fenced by the storage etag.</para>
/// </remarks>
internal sealed partial class MembershipService : IHostedLifecycleService, IMembershipViewProvider, ILocalSiloMembership, IAsyncDisposable
{
    private const int MaxCasAttempts = 16;
    private const int MaxDeclarationsPerRefresh = 16;
    private const int RefreshIdle = 0;
    private const int RefreshRunning = 1;
    private const int RefreshAgain = 2;
    private static readonly TimeSpan ExpirySlack = TimeSpan.FromMilliseconds(20);

    private readonly IMembershipTable _table;
    private readonly IMembershipChangeNotifier? _notifier;
    private readonly ILocalSiloDetails _details;
    private readonly TimeProvider _time;
    private readonly TimeSpan _heartbeatInterval;
    private readonly TimeSpan _leaseDuration;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeSpan _shutdownDrain;
    private readonly bool _activateWhenStarted;
    private readonly long _fenceAfterTicks;
    private readonly long _leaseTicks;
    private readonly ILogger<MembershipService> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _tableGate = new(1, 1);
    private readonly Action _onTableChanged;
    private SiloAddress _self;
    private int _status = (int)LocalStatus.Created;
    private long _lastRenewal;
    private long _healthySince = NotHealthy;
    private int _heartbeatBusy;
    private volatile bool _joined;
    private int _refreshState;
    private ITimer? _heartbeatTimer;
    private ITimer? _refreshTimer;
    private readonly MembershipViewPublisher _views;

    private const long NotHealthy = long.MinValue;

    public MembershipService(IMembershipTable table, ILocalSiloDetails localSilo, IOptions<SiloOptions> options, TimeProvider timeProvider, ILogger<MembershipService> logger,
        IServiceProviderIsService? registrations = null)
    {
        // A host with a server (Kestrel serves the grain port) goes Active only once it listens.
        _activateWhenStarted = registrations?.IsService(typeof(IServer)) ?? false;
        _table = table;
        _notifier = table as IMembershipChangeNotifier;
        _details = localSilo;
        _self = localSilo.SiloAddress;
        _time = timeProvider;
        _heartbeatInterval = TimeSpan.FromMilliseconds(options.Value.HeartbeatIntervalMs);
        _leaseDuration = TimeSpan.FromMilliseconds(options.Value.LeaseDurationMs);
        _refreshInterval = TimeSpan.FromMilliseconds(options.Value.MembershipRefreshIntervalMs);
        _shutdownDrain = TimeSpan.FromMilliseconds(options.Value.ShutdownDrainMs);
        _leaseTicks = (long)(_leaseDuration.TotalSeconds * timeProvider.TimestampFrequency);
        _fenceAfterTicks = _leaseTicks / 2;
        _logger = logger;
        _views = new MembershipViewPublisher(logger);
        _onTableChanged = RequestRefresh;
    }

    private enum LocalStatus
    {
        Created,
        Active,
        Fenced,
        Dead,
        ShuttingDown,
        Stopped,
    }

    public MembershipView Current => _views.Current;

    public event Action<MembershipView>? ViewChanged
    {
        add => _views.ViewChanged += value;
        remove => _views.ViewChanged -= value;
    }

    public event Action? OwnershipRevoked;

    public SiloAddress Self => Volatile.Read(ref _self);

    /// <remarks>
    /// Also true while shutting down gracefully and the lease is still fresh: the view this silo
    /// published when it went ShuttingDown no longer contains it, so the catalog answers every call
    /// with a redirect to the grain's new owner instead of "owner unknown" (which costs a caller two
    /// wasted retries and, at a gateway, a failed call). The fence still trips half a lease after the
    /// last renewal (the heartbeat stops at shutdown), so single activation is bounded as before.
    /// </remarks>
    public bool CanServe =>
        Volatile.Read(ref _status) is (int)LocalStatus.Active or (int)LocalStatus.ShuttingDown
        && _time.GetTimestamp() - Volatile.Read(ref _lastRenewal) <= _fenceAfterTicks;

    /// <summary>True while this silo has fenced itself (lease not renewed in time, or declared Dead and not yet rejoined).</summary>
    internal bool IsFenced => Status is LocalStatus.Fenced or LocalStatus.Dead || (Status == LocalStatus.Active && !CanServe);

    /// <summary>True while a re-read of the table runs or is queued (tests wait for quiet).</summary>
    internal bool IsRefreshing => Volatile.Read(ref _refreshState) != RefreshIdle;

    /// <summary>The most recent table snapshot this service read (null before start).</summary>
    public MembershipTableSnapshot? LastSnapshot { get; private set; }

    private LocalStatus Status => (LocalStatus)Volatile.Read(ref _status);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _refreshTimer = _time.CreateTimer(static state => ((MembershipService)state!).OnRefreshDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (_notifier is not null)
            _notifier.Changed += _onTableChanged;
        await _tableGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_activateWhenStarted)
                await InsertJoiningAsync(Self, cancellationToken).ConfigureAwait(false);
            else
                await JoinAsync(Self, cancellationToken).ConfigureAwait(false);
            ScheduleRefresh(await RefreshLockedAsync(cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            _tableGate.Release();
        }
        if (!_activateWhenStarted)
            LogJoined(Self, Current.Version);
        _heartbeatTimer = _time.CreateTimer(static state => ((MembershipService)state!).OnHeartbeatDue(), this, _heartbeatInterval, _heartbeatInterval);
    }

    /// <summary>
    /// In a host with a server: runs after every hosted service started, the server included, so the
    /// grain port accepts connections before the row goes Active and callers route grains here (a
    /// silo Active before it listens makes gateways fail calls with "not connected").
    /// </summary>
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        if (!_activateWhenStarted)
            return;
        await _tableGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Status != LocalStatus.Created)
                return;
            try
            {
                await ActivateAsync(Self, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Declared Dead while Joining (start-up slower than a lease): the next heartbeat rejoins as a new generation.
                Interlocked.CompareExchange(ref _status, (int)LocalStatus.Dead, (int)LocalStatus.Created);
                return;
            }
            ScheduleRefresh(await RefreshLockedAsync(cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            _tableGate.Release();
        }
        LogJoined(Self, Current.Version);
    }

    /// <summary>
    /// Runs before every hosted service's StopAsync: leave the view first, so callers move away while
    /// grains deactivate. The row goes ShuttingDown (NOTIFY tells the gateways and silos at once) and
    /// this silo publishes the view without itself before its own status changes, so from then on
    /// every call that still arrives on an old view is redirected to the grain's new owner. Then, when
    /// other silos remain, it waits <see cref="SiloOptions.ShutdownDrainMs"/> before the catalog starts
    /// refusing calls (<c>shutting_down</c>), so callers that missed the notification re-read the table first.
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await StopTimersAsync().ConfigureAwait(false);
        var previous = Status;
        var leaving = _joined && previous is LocalStatus.Active or LocalStatus.Fenced;
        if (leaving)
            await TrySetOwnStatusAsync(SiloStatus.ShuttingDown, cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _status, (int)LocalStatus.ShuttingDown);
        var self = Self;
        if (leaving && _shutdownDrain > TimeSpan.Zero && Current.ActiveSilos.Any(s => s != self))
        {
            LogDraining(self, (long)_shutdownDrain.TotalMilliseconds);
            try
            {
                await Task.Delay(_shutdownDrain, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The host's stop deadline: stop now.
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs after every hosted service stopped (the catalog has deactivated its grains): mark this incarnation Dead.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await StopTimersAsync().ConfigureAwait(false);
        var previous = (LocalStatus)Interlocked.Exchange(ref _status, (int)LocalStatus.Stopped);
        if (_joined && previous is not (LocalStatus.Stopped or LocalStatus.Dead))
            await TrySetOwnStatusAsync(SiloStatus.Dead, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopTimersAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    public void RequestRefresh()
    {
        if (!_stopping.IsCancellationRequested && TryBeginRefresh())
            ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.RunRefreshesAsync(), this, preferLocal: false);
    }

    /// <summary>Heartbeat timer: fence on a lapsed lease, then renew (or rejoin), unless the previous heartbeat is still running.</summary>
    internal void OnHeartbeatDue()
    {
        if (_stopping.IsCancellationRequested)
            return;
        CheckLease();
        if (Interlocked.Exchange(ref _heartbeatBusy, 1) != 0)
            return;
        _ = HeartbeatAsync();
    }

    /// <summary>Moves an Active silo whose last renewal is more than half a lease old to Fenced (CanServe already says false).</summary>
    private void CheckLease()
    {
        var elapsed = _time.GetTimestamp() - Volatile.Read(ref _lastRenewal);
        if (elapsed <= _fenceAfterTicks)
            return;
        if (Interlocked.CompareExchange(ref _status, (int)LocalStatus.Fenced, (int)LocalStatus.Active) == (int)LocalStatus.Active)
        {
            Volatile.Write(ref _healthySince, NotHealthy);
            LogFenced(Self, elapsed * 1000 / _time.TimestampFrequency);
        }
    }

    private async Task HeartbeatAsync()
    {
        var token = _stopping.Token;
        try
        {
            var status = Status;
            if (status == LocalStatus.Dead)
            {
                await RejoinAsync(token).ConfigureAwait(false);
                return;
            }
            var joining = status == LocalStatus.Created && _joined;
            if (status is not (LocalStatus.Active or LocalStatus.Fenced) && !joining)
                return;
            var self = Self;
            var sent = _time.GetTimestamp();
            bool renewed;
            using (var timeout = OperationTimeout(token))
                renewed = await _table.HeartbeatAsync(self, _leaseDuration, timeout.Token).ConfigureAwait(false);
            if (!renewed)
            {
                if (joining)
                    Interlocked.CompareExchange(ref _status, (int)LocalStatus.Dead, (int)LocalStatus.Created);
                OnDeclaredDead(self);
                await RejoinAsync(token).ConfigureAwait(false);
                return;
            }
            var previous = Volatile.Read(ref _lastRenewal);
            if (sent > previous)
                Volatile.Write(ref _lastRenewal, sent);
            if (Volatile.Read(ref _healthySince) == NotHealthy || sent - previous > _fenceAfterTicks)
                Volatile.Write(ref _healthySince, sent);
            if (Status == LocalStatus.Fenced)
                RequestRefresh(); // the re-read lifts the fence
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Volatile.Write(ref _healthySince, NotHealthy);
            LogHeartbeatFailed(e, Self);
        }
        finally
        {
            Volatile.Write(ref _heartbeatBusy, 0);
        }
    }

    /// <summary>This incarnation's row is Dead (or gone): fence for good, revoke every activation; the next heartbeat rejoins.</summary>
    private void OnDeclaredDead(SiloAddress self)
    {
        if (self != Self)
            return;
        while (true)
        {
            var status = Volatile.Read(ref _status);
            if (status is not ((int)LocalStatus.Active or (int)LocalStatus.Fenced))
                return;
            if (Interlocked.CompareExchange(ref _status, (int)LocalStatus.Dead, status) == status)
                break;
        }
        Volatile.Write(ref _healthySince, NotHealthy);
        LogDeclaredDead(self);
        try
        {
            OwnershipRevoked?.Invoke();
        }
        catch (Exception e)
        {
            LogViewHandlerFailed(e);
        }
    }

    /// <summary>Joins again as a new generation of the same endpoint (Dead is terminal for the old one).</summary>
    private async Task RejoinAsync(CancellationToken token)
    {
        await _tableGate.WaitAsync(token).ConfigureAwait(false);
        try
        {
            if (Status != LocalStatus.Dead)
                return;
            var old = Self;
            var generation = Math.Max(_time.GetUtcNow().ToUnixTimeMilliseconds(), old.Generation + 1);
            var next = old with { Generation = generation };
            Volatile.Write(ref _self, next);
            (_details as LocalSiloDetails)?.SetAddress(next);
            using (var timeout = OperationTimeout(token))
                await JoinAsync(next, timeout.Token).ConfigureAwait(false);
            LogRejoined(old, next);
            ScheduleRefresh(await RefreshLockedAsync(token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogRejoinFailed(e, Self);
        }
        finally
        {
            _tableGate.Release();
        }
    }

    /// <summary>Inserts <paramref name="self"/> as Joining, moves it to Active, and starts serving (call with the gate held).</summary>
    private async Task JoinAsync(SiloAddress self, CancellationToken cancellationToken)
    {
        await InsertJoiningAsync(self, cancellationToken).ConfigureAwait(false);
        await ActivateAsync(self, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Inserts <paramref name="self"/> as Joining (its lease starts now; heartbeats renew it); call with the gate held.</summary>
    private async Task InsertJoiningAsync(SiloAddress self, CancellationToken cancellationToken)
    {
        var sent = _time.GetTimestamp();
        await SetOwnStatusAsync(self, SiloStatus.Joining, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _lastRenewal, sent);
        Volatile.Write(ref _healthySince, sent);
        _joined = true;
    }

    /// <summary>Moves <paramref name="self"/>'s Joining row to Active and starts serving (call with the gate held).</summary>
    /// <exception cref="InvalidOperationException">The row was declared Dead meanwhile.</exception>
    private async Task ActivateAsync(SiloAddress self, CancellationToken cancellationToken)
    {
        await SetOwnStatusAsync(self, SiloStatus.Active, cancellationToken).ConfigureAwait(false);
        var status = Volatile.Read(ref _status);
        if (status is (int)LocalStatus.Created or (int)LocalStatus.Dead)
            Interlocked.CompareExchange(ref _status, (int)LocalStatus.Active, status);
    }

    private async Task StopTimersAsync()
    {
        if (_notifier is not null)
            _notifier.Changed -= _onTableChanged;
        if (!_stopping.IsCancellationRequested)
            await _stopping.CancelAsync().ConfigureAwait(false);
        if (_heartbeatTimer is { } heartbeat)
            await heartbeat.DisposeAsync().ConfigureAwait(false);
        if (_refreshTimer is { } refresh)
            await refresh.DisposeAsync().ConfigureAwait(false);
    }

    private async Task TrySetOwnStatusAsync(SiloStatus status, CancellationToken cancellationToken)
    {
        try
        {
            await _tableGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        try
        {
            await SetOwnStatusAsync(Self, status, cancellationToken).ConfigureAwait(false);
            Publish(await _table.ReadAllAsync(cancellationToken).ConfigureAwait(false));
            LogStatusChanged(Self, status);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStatusChangeFailed(e, Self, status);
        }
        finally
        {
            _tableGate.Release();
        }
    }

    /// <summary>Moves <paramref name="self"/>'s row to <paramref name="status"/> (inserting it if absent), retrying lost compare-and-swaps.</summary>
    private async Task SetOwnStatusAsync(SiloAddress self, SiloStatus status, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxCasAttempts; attempt++)
        {
            var snapshot = await _table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            var row = snapshot.Find(self);
            if (row is null)
            {
                if (await _table.InsertAsync(self, status, _leaseDuration, snapshot.Version, _details.HttpPort, cancellationToken).ConfigureAwait(false))
                    return;
                continue;
            }
            if (row.Status == status)
                return;
            if (row.Status == SiloStatus.Dead || row.Status > status)
                throw new InvalidOperationException($"Silo {self} cannot move from {row.Status} to {status} in the membership table.");
            if (await _table.UpdateAsync(self, status, snapshot.Version, cancellationToken).ConfigureAwait(false))
                return;
        }
        throw new InvalidOperationException($"Silo {self} lost {MaxCasAttempts} compare-and-swaps in a row setting its status to {status}.");
    }

    private void OnRefreshDue()
    {
        if (!_stopping.IsCancellationRequested && TryBeginRefresh())
            _ = RunRefreshesAsync();
    }

    /// <summary>Claims the refresh loop (true: the caller must run it) or asks the running one for one more pass.</summary>
    private bool TryBeginRefresh()
    {
        while (true)
        {
            var state = Volatile.Read(ref _refreshState);
            if (state == RefreshAgain)
                return false;
            var next = state == RefreshIdle ? RefreshRunning : RefreshAgain;
            if (Interlocked.CompareExchange(ref _refreshState, next, state) == state)
                return state == RefreshIdle;
        }
    }

    private async Task RunRefreshesAsync()
    {
        while (true)
        {
            await RefreshOnceAsync().ConfigureAwait(false);
            if (Interlocked.CompareExchange(ref _refreshState, RefreshIdle, RefreshRunning) == RefreshRunning)
                return;
            Volatile.Write(ref _refreshState, RefreshRunning);
        }
    }

    private async Task RefreshOnceAsync()
    {
        var token = _stopping.Token;
        try
        {
            await _tableGate.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        var next = _refreshInterval;
        try
        {
            next = await RefreshLockedAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            LogRefreshFailed(e);
        }
        finally
        {
            _tableGate.Release();
        }
        ScheduleRefresh(next);
    }

    private void ScheduleRefresh(TimeSpan delay)
    {
        if (_stopping.IsCancellationRequested)
            return;
        try
        {
            _refreshTimer?.Change(delay, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Re-reads the table (call with the gate held): publishes the view, checks this silo's own row,
    /// declares silos with expired leases Dead. Returns when to re-read next.
    /// </summary>
    private async Task<TimeSpan> RefreshLockedAsync(CancellationToken token)
    {
        for (var attempt = 0; ; attempt++)
        {
            var readStarted = _time.GetTimestamp();
            MembershipTableSnapshot snapshot;
            using (var timeout = OperationTimeout(token))
                snapshot = await _table.ReadAllAsync(timeout.Token).ConfigureAwait(false);
            Publish(snapshot);
            CheckOwnRow(snapshot, readStarted);
            var mayDeclare = MayDeclareOthersDead();
            var expired = mayDeclare && attempt < MaxDeclarationsPerRefresh ? FindExpired(snapshot) : null;
            if (expired is null)
                return NextRefreshDelay(snapshot, mayDeclare);
            bool declared;
            using (var timeout = OperationTimeout(token))
                declared = await _table.UpdateAsync(expired.Silo, SiloStatus.Dead, snapshot.Version, timeout.Token).ConfigureAwait(false);
            if (declared)
                LogDeclaredOtherDead(expired.Silo, expired.LeaseUntil, snapshot.ReadAt);
            // Won or lost the race: re-read and decide again.
        }
    }

    private void CheckOwnRow(MembershipTableSnapshot snapshot, long readStarted)
    {
        var status = Status;
        if (status is not (LocalStatus.Active or LocalStatus.Fenced))
            return;
        var self = Self;
        var own = snapshot.Find(self);
        if (own is null || own.Status == SiloStatus.Dead)
        {
            OnDeclaredDead(self);
            return;
        }
        // Lift the fence only with a re-read made after a renewal that proved the row alive.
        if (status == LocalStatus.Fenced
            && own.Status == SiloStatus.Active
            && readStarted >= Volatile.Read(ref _lastRenewal)
            && _time.GetTimestamp() - Volatile.Read(ref _lastRenewal) <= _fenceAfterTicks
            && Interlocked.CompareExchange(ref _status, (int)LocalStatus.Active, (int)LocalStatus.Fenced) == (int)LocalStatus.Fenced)
        {
            LogServingAgain(self, snapshot.Version);
        }
    }

    private bool MayDeclareOthersDead()
    {
        var healthySince = Volatile.Read(ref _healthySince);
        return CanServe && healthySince != NotHealthy && _time.GetTimestamp() - healthySince >= _leaseTicks;
    }

    private MembershipEntry? FindExpired(MembershipTableSnapshot snapshot)
    {
        var self = Self;
        foreach (var entry in snapshot.Entries)
        {
            if (entry.Silo != self && entry.Status != SiloStatus.Dead && entry.IsLeaseExpired(snapshot.ReadAt))
                return entry;
        }
        return null;
    }

    /// <summary>The regular interval, or sooner: just after the earliest lease of another live silo ends.</summary>
    private TimeSpan NextRefreshDelay(MembershipTableSnapshot snapshot, bool mayDeclare)
    {
        var delay = _refreshInterval;
        var self = Self;
        foreach (var entry in snapshot.Entries)
        {
            if (entry.Silo == self || entry.Status == SiloStatus.Dead)
                continue;
            var untilExpiry = entry.LeaseUntil - snapshot.ReadAt;
            TimeSpan candidate;
            if (untilExpiry >= TimeSpan.Zero)
                candidate = untilExpiry + ExpirySlack;
            else if (mayDeclare)
                candidate = ExpirySlack;
            else if (Volatile.Read(ref _healthySince) is var since && since != NotHealthy && CanServe)
                candidate = TimeSpan.FromSeconds((double)(since + _leaseTicks - _time.GetTimestamp()) / _time.TimestampFrequency) + ExpirySlack;
            else
                continue;
            if (candidate < delay)
                delay = candidate;
        }
        return delay < ExpirySlack ? ExpirySlack : delay;
    }

    private void Publish(MembershipTableSnapshot snapshot)
    {
        LastSnapshot = snapshot;
        _views.Publish(snapshot);
    }

    /// <summary>A token canceled at stop or after one lease length, whichever comes first, so a hung table call cannot stall the protocol.</summary>
    private CancellationTokenSource OperationTimeout(CancellationToken token)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(token);
        source.CancelAfter(_leaseDuration);
        return source;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Silo {Silo} joined the membership table as Active (view version {Version})")]
    private partial void LogJoined(SiloAddress silo, long version);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Silo {Silo} was declared Dead (its row is Dead or missing): every activation goes; rejoining as a new generation")]
    private partial void LogDeclaredDead(SiloAddress silo);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Declared silo {Silo} Dead: its lease ended at {LeaseUntil} (table clock now {Now})")]
    private partial void LogDeclaredOtherDead(SiloAddress silo, DateTimeOffset leaseUntil, DateTimeOffset now);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Silo {Silo} could not renew its membership lease")]
    private partial void LogHeartbeatFailed(Exception exception, SiloAddress silo);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Silo {Silo} is now {Status} in the membership table")]
    private partial void LogStatusChanged(SiloAddress silo, SiloStatus status);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Error, Message = "Silo {Silo} could not set its status to {Status}")]
    private partial void LogStatusChangeFailed(Exception exception, SiloAddress silo, SiloStatus status);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Error, Message = "A membership view change handler threw")]
    private partial void LogViewHandlerFailed(Exception exception);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning, Message = "Silo {Silo} fenced itself: its lease was last renewed {ElapsedMs} ms ago (more than half the lease); no grain is served until it renews")]
    private partial void LogFenced(SiloAddress silo, long elapsedMs);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Silo {Silo} renewed its lease and re-read the table (view version {Version}): serving again")]
    private partial void LogServingAgain(SiloAddress silo, long version);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Silo {Old} rejoined the cluster as {New}")]
    private partial void LogRejoined(SiloAddress old, SiloAddress @new);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Error, Message = "Silo {Silo} could not rejoin the cluster; retrying at the next heartbeat")]
    private partial void LogRejoinFailed(Exception exception, SiloAddress silo);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Information, Message = "Silo {Silo} is ShuttingDown: redirecting callers to the new owners for {DrainMs} ms before its grains deactivate")]
    private partial void LogDraining(SiloAddress silo, long drainMs);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "Reading the membership table failed; keeping view {Version}")]
    private partial void LogRefreshFailedCore(Exception exception, long version);

    private void LogRefreshFailed(Exception exception) => LogRefreshFailedCore(exception, Current.Version);
}
