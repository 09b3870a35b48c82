using Granary.PostgreSql.Migrations;
using Granary.Tests.Common;
using Npgsql;

namespace Granary.PostgreSql.Tests.Infrastructure;

/// <summary>A class fixture: a database of its own, migrated to the latest schema, dropped after the class.</summary>
public sealed class MigratedDatabaseFixture : IAsyncLifetime
{
    private TestDatabase? _database;

    public TestDatabase Database => _database ?? throw new InvalidOperationException("The fixture is not initialized.");

    public NpgsqlDataSource DataSource => Database.DataSource;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        await new PostgreSqlMigrator().MigrateAsync(_database.ConnectionString);
    }

    /// <summary>Empties <paramref name="table"/> (synchronously: test-class constructors cannot await; tests of a class run one at a time).</summary>
    public void Truncate(string table)
    {
        using var command = DataSource.CreateCommand($"TRUNCATE {table}");
        command.ExecuteNonQuery();
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
            await _database.DisposeAsync();
    }
}
