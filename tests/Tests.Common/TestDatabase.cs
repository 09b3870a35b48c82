using Npgsql;

namespace Granary.Tests.Common;

/// <summary>
/// A database of its own for one test or fixture, created on a PostgreSQL server (by default the
/// test run's, <see cref="TestPostgres"/>) and dropped with <c>WITH (FORCE)</c> when disposed.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _server;
    private NpgsqlDataSource? _dataSource;

    private TestDatabase(string server, string name, string connectionString)
    {
        _server = server;
        Name = name;
        ConnectionString = connectionString;
    }

    /// <summary>The database's name (<c>granary_t_…</c>).</summary>
    public string Name { get; }

    /// <summary>Connection string of the database.</summary>
    public string ConnectionString { get; }

    /// <summary>A pooled data source over <see cref="ConnectionString"/>, created on first use.</summary>
    public NpgsqlDataSource DataSource => _dataSource ??= NpgsqlDataSource.Create(ConnectionString);

    /// <summary>Creates a fresh database.</summary>
    /// <param name="server">Connection string of the server; default <see cref="TestPostgres.ConnectionString"/>.</param>
    /// <param name="pooling">False for processes that must not keep connections to a server a test stops and restarts.</param>
    public static async Task<TestDatabase> CreateAsync(string? server = null, bool pooling = true)
    {
        server ??= TestPostgres.ConnectionString;
        var name = "granary_t_" + Guid.NewGuid().ToString("N")[..16];
        await ExecuteOnServerAsync(server, $"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = pooling }.ConnectionString;
        return new TestDatabase(server, name, connectionString);
    }

    /// <summary>Drops the database, closing any connection still open to it.</summary>
    public Task DropAsync()
    {
        NpgsqlConnection.ClearAllPools();
        return ExecuteOnServerAsync(_server, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }

    /// <summary>Runs a query and returns its first column of the first row.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Runs a query on a connection of its own and returns every row, values as invariant strings (null for NULL).</summary>
    public async Task<List<string?[]>> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string?[]>();
        while (await reader.ReadAsync())
        {
            var row = new string?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
                row[i] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
            rows.Add(row);
        }
        return rows;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
            await _dataSource.DisposeAsync();
        await DropAsync();
    }

    private static async Task ExecuteOnServerAsync(string server, string sql)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
