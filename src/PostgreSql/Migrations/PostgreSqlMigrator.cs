using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Granary.PostgreSql.Migrations;

/// <summary>
/// Applies the versioned SQL migrations embedded in this assembly (<c>deploy/sql/V###__name.sql</c>,
/// resources <c>sql/V###__name.sql</c>) to a PostgreSQL database, idempotently and safely when
/// several processes start at once.
/// </summary>
/// <remarks>
/// <para><b>Algorithm</b> (the usual Flyway-style scheme): on one dedicated (non-pooled) connection take
/// the session advisory lock <see cref="AdvisoryLockKey"/> (<c>pg_advisory_lock</c>; concurrent
/// migrators queue behind it), create <c>granary_schema_version(version int primary key, name text not null,
/// applied_at timestamptz not null default now())</c> if missing, then apply every version not recorded
/// there in ascending order, each script plus its version row in its own transaction, and release the
/// lock. Whoever comes first applies; the others find every version recorded and apply nothing. If the
/// process dies, closing the session releases the lock and the open transaction rolls back.</para>
/// <para>A script runs as one multi-statement command inside a transaction, so it must not use
/// statements that refuse transactions (<c>CREATE INDEX CONCURRENTLY</c>, <c>VACUUM</c>).</para>
/// <para>A database already at a newer version than this binary knows is accepted (rolling upgrade)
/// with a warning.</para>
/// </remarks>
public sealed partial class PostgreSqlMigrator
{
    /// <summary>The advisory lock key every Granary migrator takes (ASCII "GRANARY1" as a 64-bit integer).</summary>
    public const long AdvisoryLockKey = 0x4752_414E_4152_5931;

    private const string CreateVersionTableSql =
        "CREATE TABLE IF NOT EXISTS granary_schema_version (" +
        "version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())";

    private readonly IReadOnlyList<MigrationScript> _scripts;
    private readonly ILogger _logger;

    /// <summary>Creates a migrator for the migrations embedded in Granary.PostgreSql.</summary>
    /// <param name="logger">Logs each applied version; null: no logging.</param>
    /// <exception cref="InvalidOperationException">An embedded file is not named <c>V###__name.sql</c>, a version repeats, or versions have a gap.</exception>
    public PostgreSqlMigrator(ILogger<PostgreSqlMigrator>? logger = null)
        : this(MigrationScript.LoadEmbedded(typeof(PostgreSqlMigrator).Assembly), logger)
    {
    }

    /// <summary>Creates a migrator for explicit scripts (tests).</summary>
    internal PostgreSqlMigrator(IReadOnlyList<MigrationScript> scripts, ILogger? logger = null)
    {
        _scripts = scripts;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The highest version this migrator knows (0 when it has no scripts).</summary>
    public int LatestVersion => _scripts.Count == 0 ? 0 : _scripts[^1].Version;

    /// <summary>The versions this migrator knows, ascending (1, 2, … <see cref="LatestVersion"/>).</summary>
    public IReadOnlyList<int> Versions => _scripts.Select(s => s.Version).ToArray();

    /// <summary>Brings the database to <see cref="LatestVersion"/>.</summary>
    /// <param name="connectionString">An Npgsql connection string; the user needs CREATE rights on the database's public schema.</param>
    /// <param name="cancellationToken">Cancels the wait for the lock and the running script (its transaction rolls back).</param>
    /// <returns>The versions applied by this call, ascending; empty when the schema was already current.</returns>
    /// <exception cref="NpgsqlException">The database cannot be reached or a script fails (its version stays unapplied).</exception>
    public Task<IReadOnlyList<int>> MigrateAsync(string connectionString, CancellationToken cancellationToken = default) =>
        MigrateAsync(connectionString, int.MaxValue, cancellationToken);

    /// <summary>Applies the missing versions up to and including <paramref name="targetVersion"/> (tests and staged upgrades).</summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="targetVersion">The highest version to apply; <see cref="int.MaxValue"/> for all.</param>
    /// <param name="cancellationToken">Cancels the wait for the lock and the running script (its transaction rolls back).</param>
    /// <returns>The versions applied by this call, ascending.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="targetVersion"/> is negative.</exception>
    /// <exception cref="NpgsqlException">The database cannot be reached or a script fails.</exception>
    public async Task<IReadOnlyList<int>> MigrateAsync(string connectionString, int targetVersion, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentOutOfRangeException.ThrowIfNegative(targetVersion);

        // Non-pooled: closing the connection must end the session, which releases the advisory lock
        // even when this method fails half-way (a pooled connection would keep it until reset).
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Enlist = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

        var waited = Stopwatch.StartNew();
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            lockCommand.CommandTimeout = 0;
            lockCommand.Parameters.AddWithValue("key", AdvisoryLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        LogLockTaken(_logger, connection.Database, waited.ElapsedMilliseconds);

        var appliedNow = new List<int>();
        await using (var create = new NpgsqlCommand(CreateVersionTableSql, connection))
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

        var recorded = await ReadRecordedVersionsAsync(connection, cancellationToken).ConfigureAwait(false);
        foreach (var script in _scripts)
        {
            if (script.Version > targetVersion || recorded.Contains(script.Version))
                continue;
            var started = Stopwatch.StartNew();
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var apply = new NpgsqlCommand(script.Sql, connection, transaction) { CommandTimeout = 0 })
                await apply.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await using (var record = new NpgsqlCommand("INSERT INTO granary_schema_version (version, name) VALUES (@version, @name)", connection, transaction))
            {
                record.Parameters.AddWithValue("version", script.Version);
                record.Parameters.AddWithValue("name", script.Name);
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            appliedNow.Add(script.Version);
            LogApplied(_logger, script.Version, script.Name, connection.Database, started.ElapsedMilliseconds);
        }

        var newest = recorded.Count == 0 ? 0 : recorded.Max();
        if (newest > LatestVersion)
            LogNewerSchema(_logger, connection.Database, newest, LatestVersion);
        else if (appliedNow.Count == 0)
            LogUpToDate(_logger, connection.Database, newest);

        await using (var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection))
        {
            unlock.Parameters.AddWithValue("key", AdvisoryLockKey);
            await unlock.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        return appliedNow;
    }

    private static async Task<HashSet<int>> ReadRecordedVersionsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var versions = new HashSet<int>();
        await using var command = new NpgsqlCommand("SELECT version FROM granary_schema_version", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            versions.Add(reader.GetInt32(0));
        return versions;
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Debug, Message = "Schema migration lock taken on database {Database} after {WaitedMs} ms")]
    private static partial void LogLockTaken(ILogger logger, string database, long waitedMs);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Applied schema migration V{Version:D3} {Name} to database {Database} in {ElapsedMs} ms")]
    private static partial void LogApplied(ILogger logger, int version, string name, string database, long elapsedMs);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Database {Database} schema is up to date at V{Version:D3}")]
    private static partial void LogUpToDate(ILogger logger, string database, int version);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Database {Database} schema is at V{Recorded:D3}, newer than this binary's V{Known:D3}; continuing (rolling upgrade?)")]
    private static partial void LogNewerSchema(ILogger logger, string database, int recorded, int known);
}
