using Granary.PostgreSql.Migrations;
using Granary.Tests.Common;
using Npgsql;

namespace Granary.PostgreSql.Tests.Migrations;

/// <summary>Each test migrates a fresh database of its own.</summary>
public sealed class PostgreSqlMigratorTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task MigrateAsync_Twice_SecondAppliesNothing()
    {
        var migrator = new PostgreSqlMigrator();

        var first = await migrator.MigrateAsync(_db.ConnectionString);
        var second = await migrator.MigrateAsync(_db.ConnectionString);

        Assert.Equal(migrator.Versions, first);
        Assert.Contains(1, first);
        Assert.Empty(second);
        Assert.Equal(migrator.Versions, await RecordedVersionsAsync());
        Assert.Equal([1, 2, 3, 4, 5], migrator.Versions);
        Assert.Equal(0L, await _db.ScalarAsync("SELECT count(*) FROM granary_orleans_grain_state"));
        Assert.Equal(0L, await _db.ScalarAsync("SELECT count(*) FROM granary_orleans_silo"));
        Assert.Equal(13L, await _db.ScalarAsync("SELECT count(*) FROM OrleansQuery"));
        Assert.Equal(0L, await _db.ScalarAsync("SELECT count(*) FROM granary_client"));
        // V005 removed the home-made runtime's tables.
        Assert.Equal(0L, await _db.ScalarAsync(
            "SELECT count(*) FROM pg_class WHERE relname IN ('granary_grain_state', 'granary_grain_etag_seq', 'granary_cluster', 'granary_silo')"));
    }

    [Fact]
    public async Task MigrateAsync_UpToV001ThenAll_AppliesOnlyTheRest()
    {
        var migrator = new PostgreSqlMigrator();

        var older = await migrator.MigrateAsync(_db.ConnectionString, targetVersion: 1);
        var rest = await migrator.MigrateAsync(_db.ConnectionString);

        Assert.Equal([1], older);
        Assert.Equal(migrator.Versions.Where(v => v > 1), rest);
        Assert.Equal(migrator.Versions, await RecordedVersionsAsync());
    }

    [Fact]
    public async Task MigrateAsync_OverOlderSchemaWithData_AddsNewVersionAndKeepsRows()
    {
        var embedded = MigrationScript.LoadEmbedded(typeof(PostgreSqlMigrator).Assembly);
        var next = embedded.Count + 1;
        var newer = embedded.Append(new MigrationScript(next, "test_extra", "CREATE TABLE granary_test_extra (id int PRIMARY KEY);")).ToArray();
        await new PostgreSqlMigrator(embedded).MigrateAsync(_db.ConnectionString);
        await _db.ScalarAsync("INSERT INTO granary_client VALUES ('kept', 5, 1, now(), now())");

        var applied = await new PostgreSqlMigrator(newer).MigrateAsync(_db.ConnectionString);

        Assert.Equal([next], applied);
        Assert.Equal(5L, await _db.ScalarAsync("SELECT capacity FROM granary_client WHERE client_id = 'kept'"));
        Assert.Equal(0L, await _db.ScalarAsync("SELECT count(*) FROM granary_test_extra"));
        Assert.Equal("test_extra", await _db.ScalarAsync($"SELECT name FROM granary_schema_version WHERE version = {next}"));
    }

    [Fact]
    public async Task MigrateAsync_FromV002WithRuntimeRows_DropsTheRuntimeTablesAndKeepsClients()
    {
        var migrator = new PostgreSqlMigrator();
        await migrator.MigrateAsync(_db.ConnectionString, targetVersion: 2);
        await _db.ScalarAsync("INSERT INTO granary_client VALUES ('kept', 5, 1, now(), now())");
        await _db.ScalarAsync("INSERT INTO granary_grain_state (grain_type, grain_key, etag, payload) VALUES ('client', 'kept', nextval('granary_grain_etag_seq'), '\\x00')");
        await _db.ScalarAsync("INSERT INTO granary_cluster VALUES ('granary', 1)");
        await _db.ScalarAsync("INSERT INTO granary_silo VALUES ('granary', '127.0.0.1', 11111, 1, NULL, 2, now(), now(), now())");

        Assert.Equal([3, 4, 5], await migrator.MigrateAsync(_db.ConnectionString));

        Assert.Equal(0L, await _db.ScalarAsync(
            "SELECT count(*) FROM pg_class WHERE relname IN ('granary_grain_state', 'granary_grain_etag_seq', 'granary_cluster', 'granary_silo')"));
        Assert.Equal(5L, await _db.ScalarAsync("SELECT capacity FROM granary_client WHERE client_id = 'kept'"));
    }

    [Fact]
    public async Task MigrateAsync_FourConcurrentOnFreshDatabase_AllSucceedEachVersionRecordedOnce()
    {
        var migrator = new PostgreSqlMigrator();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => migrator.MigrateAsync(_db.ConnectionString))));

        Assert.Equal(migrator.Versions, results.SelectMany(r => r).Order());
        Assert.Single(results, r => r.Count > 0);
        Assert.Equal(migrator.Versions, await RecordedVersionsAsync());
    }

    [Fact]
    public async Task MigrateAsync_FailingScript_RollsItBackAndRecordsOnlyEarlierVersions()
    {
        var scripts = new[]
        {
            new MigrationScript(1, "ok", "CREATE TABLE granary_test_ok (id int);"),
            new MigrationScript(2, "broken", "CREATE TABLE granary_test_half (id int); SELECT no_such_function();"),
        };

        await Assert.ThrowsAsync<PostgresException>(() => new PostgreSqlMigrator(scripts).MigrateAsync(_db.ConnectionString));

        Assert.Equal(new[] { 1 }, await RecordedVersionsAsync());
        Assert.Equal(0L, await _db.ScalarAsync("SELECT count(*) FROM pg_tables WHERE tablename = 'granary_test_half'"));
        // The lock died with the session: a later migrator is not blocked.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Empty(await new PostgreSqlMigrator(scripts[..1]).MigrateAsync(_db.ConnectionString, timeout.Token));
    }

    [Fact]
    public async Task MigrateAsync_Applied_SchemaEnforcesClientChecks()
    {
        await new PostgreSqlMigrator().MigrateAsync(_db.ConnectionString);

        var e = await Assert.ThrowsAsync<PostgresException>(() => _db.ScalarAsync("INSERT INTO granary_client VALUES ('x', 0, 1, now(), now())"));

        Assert.Equal(PostgresErrorCodes.CheckViolation, e.SqlState);
    }

    [Fact]
    public async Task MigrateAsync_UnreachableServer_Throws()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(_db.ConnectionString) { Port = 1, Timeout = 2 }.ConnectionString;

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => new PostgreSqlMigrator().MigrateAsync(unreachable));
    }

    private async Task<int[]> RecordedVersionsAsync()
    {
        var versions = new List<int>();
        await using var command = _db.DataSource.CreateCommand("SELECT version FROM granary_schema_version ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            versions.Add(reader.GetInt32(0));
        return [.. versions];
    }
}
