using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Runtime.Membership;

/// <summary>
/// The membership view of a process that is not a silo (a gateway), read from any
/// <see cref="IMembershipTable"/>: the Active silos at the table version. Works with every provider.
/// </summary>
/// <remarks>
/// <para>Start reads the table once (a failure is logged and start-up goes on with an empty view).
/// Then the table is re-read every <c>refreshInterval</c> (default 2 s) and at once when the table
/// signals a change (<see cref="IMembershipChangeNotifier"/>: PostgreSQL NOTIFY), and when
/// <see cref="RequestRefresh"/> is called. Re-reads never overlap; requests made during one are
/// coalesced into one more.</para>
/// <para>When the table cannot be read (database down), the last view is kept: the process keeps
/// routing on it, and catches up on the first successful read. <see cref="ViewChanged"/> is raised
/// only when the version grows.</para>
/// </remarks>
public sealed partial class MembershipTableViewProvider : IMembershipViewProvider, IMembershipViewRefresher, IHostedService, IAsyncDisposable
{
    /// <summary>The default polling interval: 2 s.</summary>
    public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromSeconds(2);

    private const int Idle = 0;
    private const int Running = 1;
    private const int Again = 2;

    private readonly IMembershipTable _table;
    private readonly IMembershipChangeNotifier? _notifier;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refreshInterval;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Action _onChanged;
    private ITimer? _timer;
    private readonly MembershipViewPublisher _views;
    private int _state;
    private bool _failing;

    /// <summary>Creates the provider; nothing is read before <see cref="StartAsync"/>.</summary>
    /// <param name="table">The membership table (if it implements <see cref="IMembershipChangeNotifier"/>, its notifications trigger re-reads).</param>
    /// <param name="timeProvider">Clock of the polling timer.</param>
    /// <param name="logger">Logs failed reads (once per outage) and view changes.</param>
    /// <param name="refreshInterval">Polling interval; default <see cref="DefaultRefreshInterval"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="refreshInterval"/> is not positive.</exception>
    public MembershipTableViewProvider(IMembershipTable table, TimeProvider? timeProvider = null, ILogger<MembershipTableViewProvider>? logger = null, TimeSpan? refreshInterval = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
        _notifier = table as IMembershipChangeNotifier;
        _time = timeProvider ?? TimeProvider.System;
        _refreshInterval = refreshInterval ?? DefaultRefreshInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_refreshInterval, TimeSpan.Zero, nameof(refreshInterval));
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _onChanged = RequestRefresh;
        _views = new MembershipViewPublisher(_logger);
    }

    /// <inheritdoc />
    public MembershipView Current => _views.Current;

    /// <inheritdoc />
    public event Action<MembershipView>? ViewChanged
    {
        add => _views.ViewChanged += value;
        remove => _views.ViewChanged -= value;
    }

    /// <summary>Subscribes to change notifications, reads the table once, and starts polling.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_notifier is not null)
            _notifier.Changed += _onChanged;
        Volatile.Write(ref _state, Running);
        try
        {
            await RefreshOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (Interlocked.Exchange(ref _state, Idle) == Again)
                RequestRefresh();
        }
        _timer = _time.CreateTimer(static state => ((MembershipTableViewProvider)state!).RequestRefresh(), this, _refreshInterval, _refreshInterval);
    }

    /// <summary>Stops polling and listening; the last view stays readable.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_notifier is not null)
            _notifier.Changed -= _onChanged;
        if (!_stopping.IsCancellationRequested)
            await _stopping.CancelAsync().ConfigureAwait(false);
        if (_timer is { } timer)
            await timer.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Asks for a re-read soon (coalesced with one already running). Never blocks, never throws.</summary>
    public void RequestRefresh()
    {
        if (_stopping.IsCancellationRequested)
            return;
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state == Again)
                return;
            if (Interlocked.CompareExchange(ref _state, state == Idle ? Running : Again, state) != state)
                continue;
            if (state == Idle)
                ThreadPool.UnsafeQueueUserWorkItem(static self => _ = self.RunAsync(), this, preferLocal: false);
            return;
        }
    }

    /// <summary>Stops polling and listening.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        while (true)
        {
            await RefreshOnceAsync(CancellationToken.None).ConfigureAwait(false);
            if (Interlocked.CompareExchange(ref _state, Idle, Running) == Running)
                return;
            Volatile.Write(ref _state, Running);
        }
    }

    private async Task RefreshOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var snapshot = await _table.ReadAllAsync(timeout.Token).ConfigureAwait(false);
            if (_failing)
            {
                _failing = false;
                LogRecovered(snapshot.Version);
            }
            _views.Publish(snapshot);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            if (!_failing)
                LogReadFailed(e, Current.Version);
            _failing = true;
        }
    }

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Reading the membership table failed; serving on view {Version} until it can be read again")]
    private partial void LogReadFailed(Exception exception, long version);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "The membership table can be read again (version {Version})")]
    private partial void LogRecovered(long version);
}
