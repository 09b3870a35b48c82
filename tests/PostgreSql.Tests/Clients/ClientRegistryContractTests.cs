using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;

namespace Granary.PostgreSql.Tests.Clients;

/// <summary>
/// The <see cref="IClientRegistry"/> contract (ported from the in-memory registry's tests), run per provider.
/// Clock-independent: timestamps are checked for shape (created = updated at creation, updated ≥ created
/// after a change), since each provider has its own clock.
/// </summary>
public abstract class ClientRegistryContractTests
{
    protected abstract IClientRegistry CreateRegistry();

    [Fact]
    public async Task CreateAsync_New_StoresRecordWithEqualTimestamps()
    {
        var registry = CreateRegistry();

        Assert.True(await registry.CreateAsync("user1", new ClientLimits(100, 10.5)));

        var record = await registry.GetAsync("user1");
        Assert.NotNull(record);
        Assert.Equal("user1", record.ClientId);
        Assert.Equal(new ClientLimits(100, 10.5), record.Limits);
        Assert.Equal(record.CreatedAt, record.UpdatedAt);
        Assert.Equal(TimeSpan.Zero, record.CreatedAt.Offset);
    }

    [Fact]
    public async Task GetAsync_Missing_ReturnsNull() =>
        Assert.Null(await CreateRegistry().GetAsync("nobody"));

    [Fact]
    public async Task CreateAsync_Existing_ReturnsFalseAndKeepsLimits()
    {
        var registry = CreateRegistry();
        await registry.CreateAsync("user1", new ClientLimits(100, 10));

        Assert.False(await registry.CreateAsync("user1", new ClientLimits(5, 1)));

        Assert.Equal(100, (await registry.GetAsync("user1"))!.Capacity);
    }

    [Fact]
    public async Task UpdateAsync_Existing_ChangesLimitsKeepsCreatedAt()
    {
        var registry = CreateRegistry();
        await registry.CreateAsync("user1", new ClientLimits(100, 10));
        var created = (await registry.GetAsync("user1"))!;

        Assert.True(await registry.UpdateAsync("user1", new ClientLimits(20, 2)));

        var record = (await registry.GetAsync("user1"))!;
        Assert.Equal(new ClientLimits(20, 2), record.Limits);
        Assert.Equal(created.CreatedAt, record.CreatedAt);
        Assert.True(record.UpdatedAt >= record.CreatedAt);
    }

    [Fact]
    public async Task UpdateAsync_Missing_ReturnsFalseAndCreatesNothing()
    {
        var registry = CreateRegistry();

        Assert.False(await registry.UpdateAsync("nobody", new ClientLimits(1, 1)));

        Assert.Null(await registry.GetAsync("nobody"));
    }

    [Fact]
    public async Task DeleteAsync_ExistingThenMissing_TrueThenFalse()
    {
        var registry = CreateRegistry();
        await registry.CreateAsync("user1", new ClientLimits(100, 10));

        Assert.True(await registry.DeleteAsync("user1"));
        Assert.False(await registry.DeleteAsync("user1"));
        Assert.Null(await registry.GetAsync("user1"));
    }

    [Fact]
    public async Task RegisteredAmongAsync_MixOfIds_ReturnsOnlyTheRegisteredOnes()
    {
        var registry = CreateRegistry();
        await registry.CreateAsync("a", new ClientLimits(10, 1));
        await registry.CreateAsync("c", new ClientLimits(10, 1));
        await registry.CreateAsync("d", new ClientLimits(10, 1));

        var found = await registry.RegisteredAmongAsync(["a", "b", "c", "c", "A", "nobody"]);

        Assert.Equal(["a", "c"], found.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RegisteredAmongAsync_NoIds_ReturnsEmpty()
    {
        var registry = CreateRegistry();
        await registry.CreateAsync("a", new ClientLimits(10, 1));

        Assert.Empty(await registry.RegisteredAmongAsync([]));
    }

    [Fact]
    public async Task RegisteredAmongAsync_MoreIdsThanOneQuery_FindsTheRegisteredInEveryChunk()
    {
        var registry = CreateRegistry();
        var ids = Enumerable.Range(0, 2 * IClientRegistry.MaxIdsPerQuery + 500).Select(static i => $"id{i:D5}").ToList();
        string[] registered = [ids[0], ids[IClientRegistry.MaxIdsPerQuery - 1], ids[IClientRegistry.MaxIdsPerQuery], ids[^1]];
        foreach (var id in registered)
            await registry.CreateAsync(id, new ClientLimits(10, 1));

        var found = await registry.RegisteredAmongAsync(ids);

        Assert.Equal(registered, found.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RegisteredAmongAsync_IdsNoClientCanHave_NotRegisteredWithoutError()
    {
        var registry = CreateRegistry();
        await registry.CreateAsync("user1", new ClientLimits(10, 1));

        var found = await registry.RegisteredAmongAsync(["user1\0", "user1", new string('x', IClientRegistry.MaxClientIdLength + 1), ""]);

        Assert.Equal(["user1"], found);
    }

    [Fact]
    public async Task CreateAsync_InvalidLimits_ThrowsNamingField()
    {
        var registry = CreateRegistry();

        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await registry.CreateAsync("user1", new ClientLimits(0, 10)));
        Assert.Contains("capacity", e.Message);
        e = await Assert.ThrowsAsync<ArgumentException>(async () => await registry.CreateAsync("user1", new ClientLimits(1, 0)));
        Assert.Contains("rate_per_sec", e.Message);
        e = await Assert.ThrowsAsync<ArgumentException>(async () => await registry.UpdateAsync("user1", new ClientLimits(ClientLimits.MaxCapacity + 1, 1)));
        Assert.Contains("capacity", e.Message);

        Assert.Null(await registry.GetAsync("user1"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public async Task CreateAsync_EmptyId_ThrowsArgument(string? id) =>
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await CreateRegistry().CreateAsync(id!, new ClientLimits(1, 1)));

    [Fact]
    public async Task CreateAsync_IdTooLong_ThrowsArgument() =>
        await Assert.ThrowsAsync<ArgumentException>(async () => await CreateRegistry().CreateAsync(new string('x', 1025), new ClientLimits(1, 1)));

    [Fact]
    public async Task CreateAsync_LimitsAtBounds_RoundTripExactly()
    {
        var registry = CreateRegistry();

        await registry.CreateAsync("max", new ClientLimits(ClientLimits.MaxCapacity, ClientLimits.MaxRatePerSec));
        await registry.CreateAsync("min", new ClientLimits(1, double.Epsilon));

        Assert.Equal(new ClientLimits(ClientLimits.MaxCapacity, ClientLimits.MaxRatePerSec), (await registry.GetAsync("max"))!.Limits);
        Assert.Equal(new ClientLimits(1, double.Epsilon), (await registry.GetAsync("min"))!.Limits);
    }

    [Fact]
    public async Task ListAsync_Paged_OrdinalOrderWithoutGapsOrRepeats()
    {
        var registry = CreateRegistry();
        foreach (var id in new[] { "b", "a", "B", "c", "aa", "a-1", "a_1", "~" })
            await registry.CreateAsync(id, new ClientLimits(1, 1));

        var first = await registry.ListAsync(null, 3);
        var second = await registry.ListAsync(first[^1].ClientId, 3);
        var third = await registry.ListAsync(second[^1].ClientId, 3);

        Assert.Equal(["B", "a", "a-1"], first.Select(r => r.ClientId));
        Assert.Equal(["a_1", "aa", "b"], second.Select(r => r.ClientId));
        Assert.Equal(["c", "~"], third.Select(r => r.ClientId));
        Assert.Empty(await registry.ListAsync("~", 3));
        Assert.Equal(["aa", "b"], (await registry.ListAsync("a_2", 2)).Select(r => r.ClientId));
        Assert.Equal("a-1", Assert.Single(await registry.ListAsync("a", 1)).ClientId);
    }

    [Fact]
    public async Task ListAsync_Empty_ReturnsEmpty() =>
        Assert.Empty(await CreateRegistry().ListAsync(null, 10));

    [Fact]
    public async Task ListAsync_ItemsCarryLimits()
    {
        var registry = CreateRegistry();
        await registry.CreateAsync("x", new ClientLimits(42, 0.25));

        var item = Assert.Single(await registry.ListAsync(null, 1000));

        Assert.Equal(new ClientLimits(42, 0.25), item.Limits);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task ListAsync_BadLimit_Throws(int limit) =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await CreateRegistry().ListAsync(null, limit));
}
