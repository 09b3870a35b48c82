using Granary.PostgreSql.Migrations;
using Granary.Tests.Common;

namespace Granary.PostgreSql.Tests.Providers;

/// <summary>
/// A class fixture: a database of its own whose default time zone is NOT UTC (+05:30, no daylight saving), so a
/// timestamp that goes through a session's time zone by mistake shows up as a 5.5 h error; migrated to the latest schema.
/// </summary>
public sealed class OrleansDatabaseFixture : IAsyncLifetime
{
    /// <summary>The database's default session time zone.</summary>
    public const string TimeZone = "Asia/Kolkata";

    private TestDatabase? _database;

    public TestDatabase Database => _database ?? throw new InvalidOperationException("The fixture is not initialized.");

    public string ConnectionString => Database.ConnectionString;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        // Through the fixture's own data source (its pool is not the one the providers' connections come from), so
        // every session the providers open afterwards starts in this zone.
        await _database.ScalarAsync($"ALTER DATABASE {_database.Name} SET timezone TO '{TimeZone}'");
        await new PostgreSqlMigrator().MigrateAsync(_database.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
            await _database.DisposeAsync();
    }
}
