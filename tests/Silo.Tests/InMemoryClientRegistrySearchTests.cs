using Granary.Grains.RateLimiting;

namespace Granary.Silo.Tests;

/// <summary>The in-memory registry's prefix search and count at 100,000 clients and at its edges.</summary>
public sealed class InMemoryClientRegistrySearchTests
{
    private static async Task<InMemoryClientRegistry> CreateAsync(params string[] ids)
    {
        var registry = new InMemoryClientRegistry();
        foreach (var id in ids)
            await registry.CreateAsync(id, new Grains.Contracts.ClientLimits(10, 1));
        return registry;
    }

    [Fact]
    public async Task SearchAsync_100000Clients_ReturnsThePageOfMatchesAfterTheCursor()
    {
        var registry = new InMemoryClientRegistry();
        foreach (var id in Enumerable.Range(0, 100_000).Select(static i => "user" + i).Order(StringComparer.Ordinal))
            await registry.CreateAsync(id, new Grains.Contracts.ClientLimits(10, 1));

        var page = await registry.SearchAsync("user12", "user1234", 5);
        var count = await registry.CountAsync("user12");
        var all = await registry.CountAsync(null);

        Assert.Equal(["user12340", "user12341", "user12342", "user12343", "user12344"], page.Select(r => r.ClientId));
        Assert.Equal(1_111, count);
        Assert.Equal(100_000, all);
    }

    [Fact]
    public async Task SearchAsync_PrefixIsCaseSensitiveAndStopsAtTheLastMatch()
    {
        var registry = await CreateAsync("Ab", "ab", "ab1", "ab2", "abc", "ac", "b");

        var page = await registry.SearchAsync("ab", null, 100);

        Assert.Equal(["ab", "ab1", "ab2", "abc"], page.Select(r => r.ClientId));
        Assert.Equal(4, await registry.CountAsync("ab"));
        Assert.Equal(1, await registry.CountAsync("A"));
        Assert.Equal(0, await registry.CountAsync("zz"));
    }

    [Fact]
    public async Task SearchAsync_PrefixEndingInMaxChar_StillFindsItsMatches()
    {
        var registry = await CreateAsync("a\uffff", "a\uffffz", "b");

        Assert.Equal(2, await registry.CountAsync("a\uffff"));
        Assert.Equal(["a\uffff", "a\uffffz"], (await registry.SearchAsync("a\uffff", null, 10)).Select(r => r.ClientId));
    }

    [Fact]
    public async Task SearchAsync_EmptyPrefix_PagesLikeList()
    {
        var registry = await CreateAsync("c", "a", "b");

        var page = await registry.SearchAsync("", "a", 10);

        Assert.Equal(["b", "c"], page.Select(r => r.ClientId));
    }
}
