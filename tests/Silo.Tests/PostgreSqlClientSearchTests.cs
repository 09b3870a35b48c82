using System.Diagnostics;
using System.Net;
using Granary.Grains.Contracts;
using Granary.PostgreSql;
using Granary.PostgreSql.Clients;
using Granary.PostgreSql.Migrations;
using Granary.Tests.Common;
using Npgsql;
using Xunit.Abstractions;

namespace Granary.Silo.Tests;

/// <summary>
/// The PostgreSQL registry's prefix search and count with 100,000 clients (<c>user0</c> … <c>user99999</c>,
/// inserted in one statement), and <c>/api/clients</c> on a silo over that database. Timings go to the
/// test output (they are figures, not assertions).
/// </summary>
public sealed class PostgreSqlClientSearchTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private NpgsqlDataSource _dataSource = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        await new PostgreSqlMigrator().MigrateAsync(_db.ConnectionString);
        _dataSource = NpgsqlDataSource.Create(_db.ConnectionString);
        await using var insert = _dataSource.CreateCommand(
            "INSERT INTO granary_client (client_id, capacity, rate_per_sec, created_at, updated_at) " +
            "SELECT 'user' || g, 100, 10, now(), now() FROM generate_series(0, 99999) g");
        await insert.ExecuteNonQueryAsync();
        await using var analyze = _dataSource.CreateCommand("ANALYZE granary_client");
        await analyze.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task SearchAndCount_100000Clients_MatchTheInMemoryRegistry()
    {
        var registry = new PostgreSqlClientRegistry(_dataSource);

        var page = await registry.SearchAsync("user12", "user1234", 5);
        var first = await registry.SearchAsync("user9", null, 3);
        var none = await registry.SearchAsync("nobody", null, 3);
        var all = await registry.SearchAsync(null, null, 2);

        Assert.Equal(["user12340", "user12341", "user12342", "user12343", "user12344"], page.Select(r => r.ClientId));
        Assert.Equal(["user9", "user90", "user900"], first.Select(r => r.ClientId));
        Assert.Empty(none);
        Assert.Equal(["user0", "user1"], all.Select(r => r.ClientId));
        Assert.Equal(1_111, await registry.CountAsync("user12"));
        Assert.Equal(11_111, await registry.CountAsync("user9"));
        Assert.Equal(100_000, await registry.CountAsync(null));
        Assert.Equal(0, await registry.CountAsync("User"));
    }

    [Fact]
    public async Task SearchAsync_PrefixWithoutUpperBoundOrWithNul_StaysExact()
    {
        var registry = new PostgreSqlClientRegistry(_dataSource);
        await registry.CreateAsync("z\ud7ff", new ClientLimits(1, 1));
        await registry.CreateAsync("z\ud7ffa", new ClientLimits(1, 1));

        Assert.Equal(["z\ud7ff", "z\ud7ffa"], (await registry.SearchAsync("z\ud7ff", null, 10)).Select(r => r.ClientId));
        Assert.Equal(2, await registry.CountAsync("z\ud7ff"));
        Assert.Empty(await registry.SearchAsync("a\0", null, 10));
        Assert.Equal(0, await registry.CountAsync("a\0"));
    }

    [Fact]
    public async Task ApiClients_SiloOn100000Clients_AnswersPagesAndSearches()
    {
        var httpPort = SiloFixture.FreePort();
        var app = SiloApp.Create(
            ["--Granary:Silo:Host=127.0.0.1", $"--Granary:Silo:SiloPort={SiloFixture.FreePort()}", $"--Granary:Silo:GatewayPort={SiloFixture.FreePort()}",
             $"--Granary:Silo:HttpPort={httpPort}", $"--{PostgreSqlDefaults.ConnectionStringKey}={_db.ConnectionString}"],
            builder => builder.Logging.ClearProviders());
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(10) };
            foreach (var path in new[] { "/api/clients?limit=50", "/api/clients?search=user9", "/api/clients?search=user9&after=user9049", "/api/clients?limit=50" })
            {
                var watch = Stopwatch.StartNew();
                var (status, json, _) = await http.SendAsync(HttpMethod.Get, path);
                output.WriteLine($"GET {path} (PostgreSQL, 100,000 clients): {watch.Elapsed.TotalMilliseconds:F1} ms");

                Assert.Equal(HttpStatusCode.OK, status);
                var rows = json.GetProperty("clients").EnumerateArray().ToList();
                Assert.Equal(50, rows.Count);
                Assert.All(rows, r => Assert.Equal(100, r.GetProperty("tokens").GetDouble(), 3));
                Assert.Equal(path.Contains("user9", StringComparison.Ordinal) ? 11_111 : 100_000, json.GetProperty("total").GetInt64());
            }
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
