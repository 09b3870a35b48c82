using Granary.Tests.Common;
using Npgsql;

namespace Granary.Silo.Tests;

/// <summary>A database of its own on the test server (<c>GRANARY_TEST_PG</c>): <c>granary_t_&lt;random&gt;</c>, dropped WITH (FORCE) on dispose.</summary>
public sealed class PgTestDatabase : IAsyncDisposable
{
    private PgTestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<PgTestDatabase> CreateAsync()
    {
        var name = "granary_t_" + Guid.NewGuid().ToString("N")[..16];
        await ExecuteOnServerAsync($"CREATE DATABASE {name}");
        return new PgTestDatabase(name, new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { Database = name }.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }

    private static async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestPostgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
