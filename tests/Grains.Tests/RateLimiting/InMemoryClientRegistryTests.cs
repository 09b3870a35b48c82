using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Granary.Tests.Common;

namespace Granary.Grains.Tests.RateLimiting;

public sealed class InMemoryClientRegistryTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryClientRegistry _registry;

    public InMemoryClientRegistryTests() => _registry = new InMemoryClientRegistry(_time);

    [Fact]
    public async Task CreateAsync_New_StoresRecordWithTimestamps()
    {
        Assert.True(await _registry.CreateAsync("user1", new ClientLimits(100, 10)));
        var record = await _registry.GetAsync("user1");
        Assert.NotNull(record);
        Assert.Equal(new ClientLimits(100, 10), record.Limits);
        Assert.Equal(_time.GetUtcNow(), record.CreatedAt);
        Assert.Equal(record.CreatedAt, record.UpdatedAt);
    }

    [Fact]
    public async Task CreateAsync_Existing_ReturnsFalseAndKeepsLimits()
    {
        await _registry.CreateAsync("user1", new ClientLimits(100, 10));
        Assert.False(await _registry.CreateAsync("user1", new ClientLimits(5, 1)));
        Assert.Equal(100, (await _registry.GetAsync("user1"))!.Capacity);
    }

    [Fact]
    public async Task UpdateAsync_Existing_ChangesLimitsAndUpdatedAt()
    {
        await _registry.CreateAsync("user1", new ClientLimits(100, 10));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await _registry.UpdateAsync("user1", new ClientLimits(20, 2)));
        var record = (await _registry.GetAsync("user1"))!;
        Assert.Equal(new ClientLimits(20, 2), record.Limits);
        Assert.Equal(TimeSpan.FromMinutes(1), record.UpdatedAt - record.CreatedAt);
    }

    [Fact]
    public async Task UpdateAsync_Missing_ReturnsFalse() =>
        Assert.False(await _registry.UpdateAsync("nobody", new ClientLimits(1, 1)));

    [Fact]
    public async Task DeleteAsync_ExistingThenMissing_TrueThenFalse()
    {
        await _registry.CreateAsync("user1", new ClientLimits(100, 10));
        Assert.True(await _registry.DeleteAsync("user1"));
        Assert.False(await _registry.DeleteAsync("user1"));
        Assert.Null(await _registry.GetAsync("user1"));
    }

    [Fact]
    public async Task CreateAsync_InvalidLimits_ThrowsNamingField()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await _registry.CreateAsync("user1", new ClientLimits(0, 10)));
        Assert.Contains("capacity", e.Message);
        e = await Assert.ThrowsAsync<ArgumentException>(async () => await _registry.CreateAsync("user1", new ClientLimits(1, 0)));
        Assert.Contains("rate_per_sec", e.Message);
    }

    [Fact]
    public async Task ListAsync_Paged_OrdinalOrderWithoutGapsOrRepeats()
    {
        foreach (var id in new[] { "b", "a", "B", "c", "aa" })
            await _registry.CreateAsync(id, new ClientLimits(1, 1));
        var first = await _registry.ListAsync(null, 2);
        Assert.Equal(["B", "a"], first.Select(r => r.ClientId));
        var second = await _registry.ListAsync(first[^1].ClientId, 2);
        Assert.Equal(["aa", "b"], second.Select(r => r.ClientId));
        var third = await _registry.ListAsync(second[^1].ClientId, 2);
        Assert.Equal(["c"], third.Select(r => r.ClientId));
        Assert.Empty(await _registry.ListAsync("c", 2));
        Assert.Equal(["aa", "b"], (await _registry.ListAsync("a0", 2)).Select(r => r.ClientId));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task ListAsync_BadLimit_Throws(int limit) =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await _registry.ListAsync(null, limit));
}
