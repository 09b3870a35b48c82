using Granary.Grains.Contracts;
using Granary.PostgreSql.Clients;
using Granary.PostgreSql.Migrations;
using Granary.PostgreSql.Storage;
using Granary.Runtime.Storage;
using Granary.Tests.Common;
using Npgsql;

namespace Granary.PostgreSql.Tests.Storage;

/// <summary>A database that vanishes under the providers: every call throws, none reports success.</summary>
public sealed class PostgreSqlStorageFailureTests
{
    [Fact]
    public async Task AllOperations_DatabaseDropped_ThrowNpgsqlException()
    {
        var db = await TestDatabase.CreateAsync();
        try
        {
            await new PostgreSqlMigrator().MigrateAsync(db.ConnectionString);
            var storage = new PostgreSqlGrainStorage(db.DataSource);
            var registry = new PostgreSqlClientRegistry(db.DataSource);
            var etag = await storage.WriteStateAsync("client", "a", new byte[] { 1 }, null);

            await db.DropAsync();

            await Assert.ThrowsAnyAsync<NpgsqlException>(() => storage.ReadStateAsync("client", "a"));
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => storage.WriteStateAsync("client", "a", new byte[] { 2 }, etag));
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => storage.WriteStateAsync("client", "b", new byte[] { 2 }, null));
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => storage.ClearStateAsync("client", "a", etag));
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => storage.WriteManyAsync([new GrainWrite("client", "a", new byte[] { 3 }, etag)]));
            await Assert.ThrowsAnyAsync<NpgsqlException>(async () => await registry.CreateAsync("x", new ClientLimits(1, 1)));
            await Assert.ThrowsAnyAsync<NpgsqlException>(async () => await registry.GetAsync("x"));
        }
        finally
        {
            await db.DisposeAsync();
        }
    }
}
