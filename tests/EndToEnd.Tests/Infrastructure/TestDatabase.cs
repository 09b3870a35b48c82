using Npgsql;

namespace Granary.EndToEnd.Tests.Infrastructure;

/// <summary>A database of its own per test cluster, on a PostgreSQL server, dropped afterwards.</summary>
internal static class TestDatabase
{
    public static async Task<string> CreateAsync(string serverConnectionString)
    {
        var name = $"granary_e2e_{Guid.NewGuid():N}"[..32];
        await using (var conn = new NpgsqlConnection(serverConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name, Pooling = false }.ConnectionString;
    }

    public static async Task DropAsync(string databaseConnectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(databaseConnectionString);
        var name = builder.Database;
        builder.Database = "postgres";
        try
        {
            await using var conn = new NpgsqlConnection(builder.ConnectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The server may be the one a fault test stopped; its data directory goes away with it.
        }
    }

    /// <summary>Runs a query and returns the rows as string arrays.</summary>
    public static async Task<List<string?[]>> QueryAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
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
}
