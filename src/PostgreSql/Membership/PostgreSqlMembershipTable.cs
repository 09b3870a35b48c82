using System.Collections.Immutable;
using Granary.Runtime.Membership;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Granary.PostgreSql.Membership;

/// <summary>
/// <see cref="IMembershipTable"/> in PostgreSQL (tables <c>granary_cluster</c> and <c>granary_silo</c>,
/// migration <c>deploy/sql/V002__membership.sql</c>), one cluster per <c>cluster_id</c>; also an
/// <see cref="IMembershipChangeNotifier"/> through LISTEN/NOTIFY on channel <see cref="Channel"/>.
/// </summary>
/// <remarks>
/// <para><b>Changes.</b> Insert and status update are each one transaction: the compare-and-swap
/// <c>UPDATE granary_cluster SET version = version + 1 WHERE cluster_id = @c AND version = @expected</c>
/// (0 rows: false), the silo row change (0 rows: row exists / missing / Dead / backward move: roll
/// back, false) and <c>pg_notify('granary_membership', cluster_id)</c>, delivered on commit only.
/// Concurrent writers serialize on the cluster row's lock, and the loser's WHERE re-check fails.</para>
/// <para><b>Time.</b> Leases are <c>now() + lease</c> and reads return <c>now()</c> as
/// <see cref="MembershipTableSnapshot.ReadAt"/>: the database's clock only. A read is one statement,
/// so version, rows and clock come from one snapshot.</para>
/// <para><b>Notifications.</b> The first subscriber to <see cref="Changed"/> starts a listener on a
/// dedicated connection (not pooled, keepalive 5 s) that raises <see cref="Changed"/> for every
/// notification naming this cluster, and once after each (re)connect, since notifications sent
/// while disconnected are lost; it reconnects after 0.25–5 s (doubling) when the connection drops.</para>
/// <para>Every method throws <see cref="NpgsqlException"/> when the database cannot be reached
/// (the outcome is then unknown: re-read before retrying).</para>
/// </remarks>
public sealed partial class PostgreSqlMembershipTable : IMembershipTable, IMembershipChangeNotifier, IAsyncDisposable
{
    /// <summary>The NOTIFY channel; the payload is the cluster id.</summary>
    public const string Channel = "granary_membership";

    private const string NowSql = "coalesce(@now, now())";

    private const string ReadSql =
        "SELECT v.version, v.read_at, s.host, s.port, s.generation, s.http_port, s.status, s.lease_until, s.joined_at " +
        "FROM (SELECT coalesce((SELECT version FROM granary_cluster WHERE cluster_id = @c), 0) AS version, " + NowSql + " AS read_at) v " +
        "LEFT JOIN granary_silo s ON s.cluster_id = @c";

    private const string EnsureClusterSql = "INSERT INTO granary_cluster (cluster_id, version) VALUES (@c, 0) ON CONFLICT (cluster_id) DO NOTHING";

    private const string CasSql = "UPDATE granary_cluster SET version = version + 1 WHERE cluster_id = @c AND version = @expected";

    private const string InsertSiloSql =
        "INSERT INTO granary_silo (cluster_id, host, port, generation, http_port, status, lease_until, joined_at, updated_at) " +
        "VALUES (@c, @host, @port, @generation, @http_port, @status, " + NowSql + " + @lease, " + NowSql + ", " + NowSql + ") " +
        "ON CONFLICT DO NOTHING";

    private const string UpdateSiloSql =
        "UPDATE granary_silo SET status = @status, updated_at = " + NowSql + " " +
        "WHERE cluster_id = @c AND host = @host AND port = @port AND generation = @generation AND status <> 4 AND status <= @status";

    private const string NotifySql = "SELECT pg_notify('" + Channel + "', @c)";

    private const string HeartbeatSql =
        "UPDATE granary_silo SET lease_until = " + NowSql + " + @lease, updated_at = " + NowSql + " " +
        "WHERE cluster_id = @c AND host = @host AND port = @port AND generation = @generation AND status <> 4";

    private static readonly TimeSpan MinReconnectDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(5);

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _listenConnectionString;
    private readonly string _clusterId;
    private readonly TimeProvider? _clock;
    private readonly bool _listen;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _gate = new();
    private Action? _changed;
    private Task? _listener;
    private int _disposed;

    /// <summary>Creates the table client; it connects on first use.</summary>
    /// <param name="connectionString">Npgsql connection string of the Granary database (schema migrated to V002 or later).</param>
    /// <param name="clusterId">Names the cluster: silos and gateways that share it see each other (config <c>Granary:ClusterId</c>).</param>
    /// <param name="logger">Logs listener disconnects and reconnects.</param>
    /// <exception cref="ArgumentException">An argument is empty, or the connection string is malformed.</exception>
    public PostgreSqlMembershipTable(string connectionString, string clusterId, ILogger<PostgreSqlMembershipTable>? logger = null)
        : this(connectionString, clusterId, logger, clock: null, listen: true)
    {
    }

    /// <summary>
    /// Test constructor: with <paramref name="clock"/>, timestamps come from it instead of the
    /// database's <c>now()</c> (for the provider-agnostic contract suite, which moves time by hand);
    /// with <paramref name="listen"/> false, <see cref="Changed"/> is never raised.
    /// </summary>
    internal PostgreSqlMembershipTable(string connectionString, string clusterId, ILogger? logger, TimeProvider? clock, bool listen)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentException.ThrowIfNullOrEmpty(clusterId);
        _dataSource = NpgsqlDataSource.Create(connectionString);
        _listenConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, KeepAlive = 5, Enlist = false }.ConnectionString;
        _clusterId = clusterId;
        _clock = clock;
        _listen = listen;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The cluster this table reads and writes.</summary>
    public string ClusterId => _clusterId;

    /// <inheritdoc />
    /// <remarks>The first subscription starts the LISTEN connection; it runs until <see cref="DisposeAsync"/>.</remarks>
    public event Action? Changed
    {
        add
        {
            lock (_gate)
            {
                _changed += value;
                if (_listen && _listener is null && Volatile.Read(ref _disposed) == 0)
                    _listener = Task.Run(() => ListenAsync(_disposing.Token));
            }
        }
        remove
        {
            lock (_gate)
                _changed -= value;
        }
    }

    /// <inheritdoc />
    public async Task<MembershipTableSnapshot> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(ReadSql, connection);
        AddCommon(command.Parameters, withClock: true);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        long version = 0;
        var readAt = DateTimeOffset.MinValue;
        var entries = ImmutableArray.CreateBuilder<MembershipEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            version = reader.GetInt64(0);
            readAt = reader.GetFieldValue<DateTimeOffset>(1);
            if (reader.IsDBNull(2))
                continue;
            var silo = new SiloAddress(reader.GetString(2), reader.GetInt32(3), reader.GetInt64(4));
            entries.Add(new MembershipEntry(silo, (SiloStatus)reader.GetInt16(6), reader.GetFieldValue<DateTimeOffset>(7), reader.GetFieldValue<DateTimeOffset>(8))
            {
                HttpPort = reader.IsDBNull(5) ? null : reader.GetInt32(5),
            });
        }
        entries.Sort((a, b) => MembershipTableSnapshot.CompareSilos(a.Silo, b.Silo));
        return new MembershipTableSnapshot(version, entries.ToImmutable(), readAt);
    }

    /// <inheritdoc />
    public Task<bool> InsertAsync(SiloAddress silo, SiloStatus status, TimeSpan leaseDuration, long expectedVersion, CancellationToken cancellationToken = default) =>
        InsertAsync(silo, status, leaseDuration, expectedVersion, null, cancellationToken);

    /// <inheritdoc />
    public Task<bool> InsertAsync(SiloAddress silo, SiloStatus status, TimeSpan leaseDuration, long expectedVersion, int? httpPort, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        var insert = new NpgsqlBatchCommand(InsertSiloSql);
        AddCommon(insert.Parameters, withClock: true);
        AddSilo(insert.Parameters, silo);
        insert.Parameters.Add(new NpgsqlParameter("http_port", NpgsqlDbType.Integer) { Value = httpPort is > 0 ? httpPort.Value : DBNull.Value });
        insert.Parameters.Add(new NpgsqlParameter("status", NpgsqlDbType.Smallint) { Value = (short)status });
        insert.Parameters.Add(new NpgsqlParameter("lease", NpgsqlDbType.Interval) { Value = leaseDuration });
        return ChangeAsync(ensureCluster: true, insert, expectedVersion, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> UpdateAsync(SiloAddress silo, SiloStatus status, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var update = new NpgsqlBatchCommand(UpdateSiloSql);
        AddCommon(update.Parameters, withClock: true);
        AddSilo(update.Parameters, silo);
        update.Parameters.Add(new NpgsqlParameter("status", NpgsqlDbType.Smallint) { Value = (short)status });
        return ChangeAsync(ensureCluster: false, update, expectedVersion, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> HeartbeatAsync(SiloAddress silo, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(HeartbeatSql, connection);
        AddCommon(command.Parameters, withClock: true);
        AddSilo(command.Parameters, silo);
        command.Parameters.Add(new NpgsqlParameter("lease", NpgsqlDbType.Interval) { Value = leaseDuration });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Stops the listener and closes the pool.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _disposing.CancelAsync().ConfigureAwait(false);
        Task? listener;
        lock (_gate)
            listener = _listener;
        if (listener is not null)
        {
            try
            {
                await listener.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _disposing.Dispose();
    }

    /// <summary>
    /// One membership change as one transaction, one round trip plus the commit: [ensure the
    /// cluster row;] compare-and-swap the version; <paramref name="change"/> (the silo row); notify.
    /// Commits only when the swap and the row change each touched exactly one row, else rolls back
    /// (the notification is then never sent).
    /// </summary>
    private async Task<bool> ChangeAsync(bool ensureCluster, NpgsqlBatchCommand change, long expectedVersion, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (ensureCluster)
        {
            var ensure = new NpgsqlBatchCommand(EnsureClusterSql);
            AddCommon(ensure.Parameters, withClock: false);
            batch.BatchCommands.Add(ensure);
        }
        var cas = new NpgsqlBatchCommand(CasSql);
        AddCommon(cas.Parameters, withClock: false);
        cas.Parameters.Add(new NpgsqlParameter("expected", NpgsqlDbType.Bigint) { Value = expectedVersion });
        batch.BatchCommands.Add(cas);
        batch.BatchCommands.Add(change);
        var notify = new NpgsqlBatchCommand(NotifySql);
        AddCommon(notify.Parameters, withClock: false);
        batch.BatchCommands.Add(notify);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        if (cas.RecordsAffected != 1 || change.RecordsAffected != 1)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private void AddCommon(NpgsqlParameterCollection parameters, bool withClock)
    {
        parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Text) { Value = _clusterId });
        if (withClock)
            parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = _clock is null ? DBNull.Value : _clock.GetUtcNow() });
    }

    private static void AddSilo(NpgsqlParameterCollection parameters, SiloAddress silo)
    {
        parameters.Add(new NpgsqlParameter("host", NpgsqlDbType.Text) { Value = silo.Host });
        parameters.Add(new NpgsqlParameter("port", NpgsqlDbType.Integer) { Value = silo.Port });
        parameters.Add(new NpgsqlParameter("generation", NpgsqlDbType.Bigint) { Value = silo.Generation });
    }

    private void RaiseChanged()
    {
        Action? handlers;
        lock (_gate)
            handlers = _changed;
        try
        {
            handlers?.Invoke();
        }
        catch (Exception e)
        {
            LogHandlerFailed(_logger, e);
        }
    }

    /// <summary>LISTEN on a dedicated connection until disposed; reconnects with backoff, raising <see cref="Changed"/> after each (re)connect.</summary>
    private async Task ListenAsync(CancellationToken token)
    {
        var delay = MinReconnectDelay;
        var wasConnected = false;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_listenConnectionString);
                connection.Notification += (_, e) =>
                {
                    if (string.Equals(e.Payload, _clusterId, StringComparison.Ordinal))
                        RaiseChanged();
                };
                await connection.OpenAsync(token).ConfigureAwait(false);
                await using (var listen = new NpgsqlCommand("LISTEN " + Channel, connection))
                    await listen.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                if (wasConnected)
                    LogListenerReconnected(_logger, _clusterId);
                wasConnected = true;
                delay = MinReconnectDelay;
                // Anything sent while not listening is lost: tell readers to re-read everything.
                RaiseChanged();
                while (true)
                    await connection.WaitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogListenerFailed(_logger, e, _clusterId, (long)delay.TotalMilliseconds);
            }
            try
            {
                await Task.Delay(delay, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = delay * 2 > MaxReconnectDelay ? MaxReconnectDelay : delay * 2;
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Membership LISTEN connection for cluster {ClusterId} failed; reconnecting in {DelayMs} ms (polling continues meanwhile)")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception, string clusterId, long delayMs);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "Membership LISTEN connection for cluster {ClusterId} re-established")]
    private static partial void LogListenerReconnected(ILogger logger, string clusterId);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Error, Message = "A membership change handler threw")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);
}
