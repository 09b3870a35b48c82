using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Granary.PostgreSql.Clients;
using Granary.PostgreSql.Tests.Infrastructure;

namespace Granary.PostgreSql.Tests.Clients;

/// <summary>The shared contract against PostgreSQL (table emptied before each test), plus database-clock and sharing checks.</summary>
public sealed class PostgreSqlClientRegistryTests : ClientRegistryContractTests, IClassFixture<MigratedDatabaseFixture>
{
    private readonly MigratedDatabaseFixture _db;

    public PostgreSqlClientRegistryTests(MigratedDatabaseFixture db)
    {
        _db = db;
        db.Truncate("granary_client");
    }

    protected override IClientRegistry CreateRegistry() => new PostgreSqlClientRegistry(_db.DataSource);

    [Fact]
    public async Task CreateAsync_Timestamps_ComeFromDatabaseClock()
    {
        var registry = CreateRegistry();
        var before = (DateTime)(await _db.Database.ScalarAsync("SELECT now()"))!;

        await registry.CreateAsync("user1", new ClientLimits(1, 1));

        var record = (await registry.GetAsync("user1"))!;
        var after = (DateTime)(await _db.Database.ScalarAsync("SELECT now()"))!;
        Assert.InRange(record.CreatedAt.UtcDateTime, before, after);
    }

    [Fact]
    public async Task UpdateAsync_ThroughAnotherInstance_VisibleToEveryInstance()
    {
        var siloA = CreateRegistry();
        var siloB = new PostgreSqlClientRegistry(_db.DataSource);
        await siloA.CreateAsync("shared", new ClientLimits(10, 1));

        Assert.True(await siloB.UpdateAsync("shared", new ClientLimits(20, 2)));

        Assert.Equal(new ClientLimits(20, 2), (await siloA.GetAsync("shared"))!.Limits);
        Assert.False(await siloB.CreateAsync("shared", new ClientLimits(1, 1)));
    }

    [Fact]
    public async Task CreateAsync_ConcurrentSameId_ExactlyOneCreates()
    {
        var registry = CreateRegistry();

        var created = await Task.WhenAll(Enumerable.Range(1, 8).Select(i => registry.CreateAsync("race", new ClientLimits(i, 1)).AsTask()));

        Assert.Single(created, c => c);
    }

    [Fact]
    public async Task GetAndDelete_IdWithNul_NotFoundWithoutError()
    {
        var registry = CreateRegistry();
        await registry.CreateAsync("a", new ClientLimits(1, 1));
        await registry.CreateAsync("b", new ClientLimits(1, 1));

        Assert.Null(await registry.GetAsync("a\0"));
        Assert.False(await registry.DeleteAsync("a\0"));
        Assert.Equal(["b"], (await registry.ListAsync("a\0x", 10)).Select(r => r.ClientId));
        await Assert.ThrowsAsync<ArgumentException>(async () => await registry.CreateAsync("a\0", new ClientLimits(1, 1)));
    }

    [Fact]
    public async Task ListAsync_NonAsciiIds_OrdinalOrder()
    {
        var registry = CreateRegistry();
        string[] ids = ["z", "é", "ab", "Z", "日本"];
        foreach (var id in ids)
            await registry.CreateAsync(id, new ClientLimits(1, 1));

        var listed = await registry.ListAsync(null, 10);

        Assert.Equal(ids.Order(StringComparer.Ordinal), listed.Select(r => r.ClientId));
    }
}
