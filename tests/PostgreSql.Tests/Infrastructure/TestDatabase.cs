using Granary.Tests.Common;
using Npgsql;

namespace Granary.PostgreSql.Tests.Infrastructure;

/// <summary>
/// A database of its own on the test server (<see cref="TestPostgres.ConnectionString"/>):
/// <c>granary_t_&lt;random&gt;</c>, created empty and dropped (WITH (FORCE)) on dispose.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private NpgsqlDataSource? _dataSource;

    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>A pooled data source for this database (created on first use, disposed with the database).</summary>
    public NpgsqlDataSource DataSource => _dataSource ??= NpgsqlDataSource.Create(ConnectionString);

    public static async Task<TestDatabase> CreateAsync()
    {
        var name = "granary_t_" + Guid.NewGuid().ToString("N")[..16];
        await ExecuteOnServerAsync($"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { Database = name }.ConnectionString;
        return new TestDatabase(name, connectionString);
    }

    /// <summary>Drops the database now (sessions are terminated); later calls through <see cref="DataSource"/> fail.</summary>
    public Task DropAsync() => ExecuteOnServerAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");

    /// <summary>Runs one statement in this database and returns its scalar result.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
            await _dataSource.DisposeAsync();
        await DropAsync();
    }

    private static async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestPostgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
