using Granary.Runtime.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Membership;

/// <summary>
/// This silo's membership agent over any <see cref="IMembershipTable"/>: registers the silo
/// (Joining, then Active) at start, renews its lease every <see cref="SiloOptions.HeartbeatIntervalMs"/>,
/// re-reads the table to follow the view, declares silos with expired leases Dead (compare-and-swap,
/// so many silos may try at once), and at stop moves to ShuttingDown (before any other service
/// stops) and then Dead (after they stopped). The view is the Active rows at the table version.
/// </summary>
internal sealed partial class MembershipService : IHostedLifecycleService, IMembershipViewProvider, IAsyncDisposable
{
    private const int MaxCasAttempts = 16;

    private readonly IMembershipTable _table;
    private readonly SiloAddress _self;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _heartbeatInterval;
    private readonly TimeSpan _leaseDuration;
    private readonly ILogger<MembershipService> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _tableGate = new(1, 1);
    private ITimer? _timer;
    private MembershipView _view = MembershipView.Empty;

    public MembershipService(IMembershipTable table, ILocalSiloDetails localSilo, IOptions<SiloOptions> options, TimeProvider timeProvider, ILogger<MembershipService> logger)
    {
        _table = table;
        _self = localSilo.SiloAddress;
        _timeProvider = timeProvider;
        _heartbeatInterval = TimeSpan.FromMilliseconds(options.Value.HeartbeatIntervalMs);
        _leaseDuration = TimeSpan.FromMilliseconds(options.Value.LeaseDurationMs);
        _logger = logger;
    }

    public MembershipView Current => Volatile.Read(ref _view);

    public event Action<MembershipView>? ViewChanged;

    /// <summary>The most recent table snapshot this service read (null before start).</summary>
    public MembershipTableSnapshot? LastSnapshot { get; private set; }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _tableGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SetOwnStatusAsync(SiloStatus.Joining, cancellationToken).ConfigureAwait(false);
            await SetOwnStatusAsync(SiloStatus.Active, cancellationToken).ConfigureAwait(false);
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _tableGate.Release();
        }
        LogJoined(_self, Current.Version);
        _timer = _timeProvider.CreateTimer(static state => _ = ((MembershipService)state!).TickAsync(), this, _heartbeatInterval, Timeout.InfiniteTimeSpan);
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs before every hosted service's StopAsync: leave the view first, so callers move away while grains deactivate.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await StopTimerAsync().ConfigureAwait(false);
        await TrySetOwnStatusAsync(SiloStatus.ShuttingDown, cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs after every hosted service stopped (the catalog has deactivated its grains): mark this incarnation Dead.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await StopTimerAsync().ConfigureAwait(false);
        await TrySetOwnStatusAsync(SiloStatus.Dead, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopTimerAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>One heartbeat: renew the lease, re-read the table, declare expired silos Dead. Then schedules the next one.</summary>
    internal async Task TickAsync()
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
        try
        {
            if (!await _table.HeartbeatAsync(_self, _leaseDuration, token).ConfigureAwait(false))
                LogDeclaredDead(_self);
            var snapshot = await RefreshAsync(token).ConfigureAwait(false);
            foreach (var entry in snapshot.Entries)
            {
                if (entry.Silo == _self || entry.Status == SiloStatus.Dead || !entry.IsLeaseExpired(snapshot.ReadAt))
                    continue;
                // One declaration per tick: the version moves on success, so re-read next tick.
                if (await _table.UpdateAsync(entry.Silo, SiloStatus.Dead, snapshot.Version, token).ConfigureAwait(false))
                {
                    LogDeclaredOtherDead(entry.Silo, entry.LeaseUntil);
                    await RefreshAsync(token).ConfigureAwait(false);
                }
                break;
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogHeartbeatFailed(e);
        }
        finally
        {
            _tableGate.Release();
            if (!token.IsCancellationRequested)
            {
                try
                {
                    _timer?.Change(_heartbeatInterval, Timeout.InfiniteTimeSpan);
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }
    }

    private async Task StopTimerAsync()
    {
        if (!_stopping.IsCancellationRequested)
            await _stopping.CancelAsync().ConfigureAwait(false);
        if (_timer is { } timer)
            await timer.DisposeAsync().ConfigureAwait(false);
    }

    private async Task TrySetOwnStatusAsync(SiloStatus status, CancellationToken cancellationToken)
    {
        await _tableGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SetOwnStatusAsync(status, cancellationToken).ConfigureAwait(false);
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
            LogStatusChanged(_self, status);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStatusChangeFailed(e, _self, status);
        }
        finally
        {
            _tableGate.Release();
        }
    }

    /// <summary>Moves this silo's row to <paramref name="status"/> (inserting it if absent), retrying lost compare-and-swaps.</summary>
    private async Task SetOwnStatusAsync(SiloStatus status, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxCasAttempts; attempt++)
        {
            var snapshot = await _table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            var row = snapshot.Find(_self);
            if (row is null)
            {
                if (await _table.InsertAsync(_self, status, _leaseDuration, snapshot.Version, cancellationToken).ConfigureAwait(false))
                    return;
                continue;
            }
            if (row.Status == status)
                return;
            if (row.Status == SiloStatus.Dead || row.Status > status)
                throw new InvalidOperationException($"Silo {_self} cannot move from {row.Status} to {status} in the membership table.");
            if (await _table.UpdateAsync(_self, status, snapshot.Version, cancellationToken).ConfigureAwait(false))
                return;
        }
        throw new InvalidOperationException($"Silo {_self} lost {MaxCasAttempts} compare-and-swaps in a row setting its status to {status}.");
    }

    private async Task<MembershipTableSnapshot> RefreshAsync(CancellationToken cancellationToken)
    {
        var snapshot = await _table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        LastSnapshot = snapshot;
        if (snapshot.Version > Current.Version)
        {
            var view = snapshot.ToView();
            Volatile.Write(ref _view, view);
            LogViewChanged(view.Version, view.ActiveSilos.Length);
            try
            {
                ViewChanged?.Invoke(view);
            }
            catch (Exception e)
            {
                LogViewHandlerFailed(e);
            }
        }
        return snapshot;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Silo {Silo} joined the membership table as Active (view version {Version})")]
    private partial void LogJoined(SiloAddress silo, long version);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Membership view {Version}: {ActiveCount} active silo(s)")]
    private partial void LogViewChanged(long version, int activeCount);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Silo {Silo} could not renew its lease: its row is missing or Dead")]
    private partial void LogDeclaredDead(SiloAddress silo);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Declared silo {Silo} Dead: its lease ended at {LeaseUntil}")]
    private partial void LogDeclaredOtherDead(SiloAddress silo, DateTimeOffset leaseUntil);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Membership heartbeat failed")]
    private partial void LogHeartbeatFailed(Exception exception);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Silo {Silo} is now {Status} in the membership table")]
    private partial void LogStatusChanged(SiloAddress silo, SiloStatus status);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Error, Message = "Silo {Silo} could not set its status to {Status}")]
    private partial void LogStatusChangeFailed(Exception exception, SiloAddress silo, SiloStatus status);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Error, Message = "A membership view change handler threw")]
    private partial void LogViewHandlerFailed(Exception exception);
}
