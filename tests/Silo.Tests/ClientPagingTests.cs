using System.Diagnostics;
using System.Net;
using Xunit.Abstractions;

namespace Granary.Silo.Tests;

/// <summary>
/// <c>/api/clients</c> with 100,000 registered clients: a page costs one registry search, one count,
/// at most one registry read per row (client grains activating) and one lookup of the active client grains
/// among the registered, never a pass over the registry.
/// The in-memory registry answers a search with two binary searches plus the page.
/// </summary>
public sealed class ClientPagingTests(LargeRegistrySiloFixture silo, ITestOutputHelper output) : IClassFixture<LargeRegistrySiloFixture>
{
    private readonly HttpClient _http = silo.Http;

    [Fact]
    public async Task ApiClients_100000Clients_FirstPageCostsOneSearchOneCountAndAtMostOneReadPerRow()
    {
        silo.Registry.Reset();
        var watch = Stopwatch.StartNew();

        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, "/api/clients?limit=50");

        output.WriteLine($"GET /api/clients?limit=50 with {LargeRegistrySiloFixture.Clients} clients (in memory): {watch.ElapsedMilliseconds} ms");
        Assert.Equal(HttpStatusCode.OK, status);
        var ids = json.GetProperty("clients").EnumerateArray().Select(c => c.GetProperty("client_id").GetString()!).ToList();
        Assert.Equal(50, ids.Count);
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal("user0", ids[0]);
        Assert.Equal(ids[^1], json.GetProperty("next_after").GetString());
        Assert.Equal(LargeRegistrySiloFixture.Clients, json.GetProperty("total").GetInt64());
        Assert.Equal(1, silo.Registry.Searches);
        Assert.Equal(1, silo.Registry.Counts);
        Assert.Equal(0, silo.Registry.Lists);
        Assert.InRange(silo.Registry.Gets, 0, 50);
        // The clients active at default limits: one registry query for all the active client grains, not one per grain.
        Assert.Equal(1, silo.Registry.RegisteredAmongCalls);
        Assert.Equal(0, json.GetProperty("active_default_total").GetInt32());
    }

    [Fact]
    public async Task ApiClients_SearchUser9_ReturnsMatchesInOrderAndPagesOn()
    {
        var watch = Stopwatch.StartNew();
        var first = await _http.SendAsync(HttpMethod.Get, "/api/clients?search=user9");
        output.WriteLine($"GET /api/clients?search=user9 with {LargeRegistrySiloFixture.Clients} clients (in memory): {watch.ElapsedMilliseconds} ms");
        var next = first.Body.GetProperty("next_after").GetString();
        var second = await _http.SendAsync(HttpMethod.Get, $"/api/clients?search=user9&after={next}&limit=500");

        var firstIds = first.Body.GetProperty("clients").EnumerateArray().Select(c => c.GetProperty("client_id").GetString()!).ToList();
        var secondIds = second.Body.GetProperty("clients").EnumerateArray().Select(c => c.GetProperty("client_id").GetString()!).ToList();
        Assert.Equal(50, firstIds.Count);
        Assert.All(firstIds.Concat(secondIds), id => Assert.StartsWith("user9", id, StringComparison.Ordinal));
        Assert.Equal(11_111, first.Body.GetProperty("total").GetInt64()); // user9, user90-99, user900-999, user9000-9999, user90000-99999
        Assert.Equal(500, secondIds.Count);
        Assert.True(string.CompareOrdinal(secondIds[0], firstIds[^1]) > 0);
        Assert.Equal(firstIds.Concat(secondIds).Order(StringComparer.Ordinal), firstIds.Concat(secondIds));
    }

    [Fact]
    public async Task ApiClients_SearchWithoutMatches_ReturnsEmptyPageAndZeroTotal()
    {
        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, "/api/clients?search=nobody");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(json.GetProperty("clients").EnumerateArray());
        Assert.Equal(JsonValueKindNull, json.GetProperty("next_after").ValueKind);
        Assert.Equal(0, json.GetProperty("total").GetInt64());
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}
