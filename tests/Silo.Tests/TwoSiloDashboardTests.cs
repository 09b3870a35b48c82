using System.Net;
using System.Text.Json;
using Granary.Grains.Contracts;
using Granary.Runtime;
using Granary.Runtime.Placement;
using Granary.Tests.Common;

namespace Granary.Silo.Tests;

/// <summary>
/// Two silos in process sharing membership, grain state and the client registry through PostgreSQL
/// (a database of their own): every cluster endpoint asked on silo A shows what lives on silo B.
/// </summary>
public sealed class TwoSiloDashboardTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private TestSilo _a = null!;
    private TestSilo _b = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _a = await TestSilo.StartAsync(_db.ConnectionString);
        _b = await TestSilo.StartAsync(_db.ConnectionString);
        // Both silos must see the two-silo view before placement is predictable.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!(_a.View.ActiveSilos.Length == 2 && _b.View.ActiveSilos.Length == 2))
        {
            Assert.True(DateTime.UtcNow < deadline, "the silos did not see each other within 15 s");
            await Task.Delay(50);
        }
        // Warm every /api/local endpoint once: a cold silo on a loaded machine can take longer than the
        // fan-out's 1 s deadline to JIT its first answer (the dashboard then shows that silo's error for one refresh).
        foreach (var silo in new[] { _a, _b })
        {
            foreach (var path in new[] { "/api/local/overview", "/api/local/backends", "/api/local/active?type=client&key=warm" })
                await silo.Http.GetAsync(path);
        }
    }

    /// <summary>GETs <paramref name="path"/> from silo A until <paramref name="done"/> holds (the fan-out tolerates a slow silo by reporting an error; a loaded machine may need a retry), within 15 s.</summary>
    private async Task<JsonElement> PollAAsync(string path, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var (status, json, _) = await _a.Http.SendAsync(HttpMethod.Get, path);
            Assert.Equal(HttpStatusCode.OK, status);
            if (done(json) || DateTime.UtcNow > deadline)
                return json;
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>A key of <paramref name="type"/> owned by silo B in the current view.</summary>
    private string KeyOwnedByB(string type, Func<int, string> key)
    {
        for (var i = 0; ; i++)
        {
            if (RendezvousPlacement.SelectOwner(new GrainId(type, key(i)), _a.View.ActiveSilos) == _b.Address)
                return key(i);
        }
    }

    [Fact]
    public async Task Backends_AskedOnA_IncludeABackendActiveOnB()
    {
        var destination = KeyOwnedByB(GrainDescriptors.BackendGrainType, i => BackendKey.For("two", "d" + i)).Split('/')[1];
        await _a.Grains.GetGrain<IBackendGrain>(BackendKey.For("two", destination)).ConfigureAsync(new BackendConfig("two", destination, "http://127.0.0.1:1/", Policy: "PowerOfTwoChoices"));

        var json = await PollAAsync("/api/backends", j => j.GetProperty("errors").GetArrayLength() == 0
            && j.GetProperty("backends").EnumerateArray().Any(b => b.GetProperty("destination_id").GetString() == destination && b.TryGetProperty("policy", out _)));

        var backend = json.GetProperty("backends").EnumerateArray().Single(b => b.GetProperty("destination_id").GetString() == destination);
        Assert.Equal(_b.Address.ToString(), backend.GetProperty("silo").GetString());
        Assert.Equal("PowerOfTwoChoices", backend.GetProperty("policy").GetString());
        Assert.Empty(json.GetProperty("errors").EnumerateArray());
        Assert.DoesNotContain((await _a.Http.SendAsync(HttpMethod.Get, "/api/local/backends")).Body.GetProperty("backends").EnumerateArray(),
            b => b.GetProperty("destination_id").GetString() == destination);
    }

    [Fact]
    public async Task Overview_AskedOnA_ListsBothSilosAndAGatewayWhoseGrainIsOnB()
    {
        var gateway = KeyOwnedByB(GrainDescriptors.GatewayGrainType, i => "gw" + i);
        await _a.Grains.GetGrain<IGatewayGrain>(gateway).ReportAsync(new GatewayStats(gateway, 12, false, true, 1, 0));

        var json = await PollAAsync("/api/overview", j => j.GetProperty("silos").EnumerateArray().All(s => s.GetProperty("error").ValueKind == JsonValueKind.Null));

        var silos = json.GetProperty("silos").EnumerateArray().ToList();
        Assert.Equal([_a.Address.ToString(), _b.Address.ToString()], silos.Select(s => s.GetProperty("address").GetString()));
        Assert.All(silos, s => Assert.Equal(JsonValueKind.Null, s.GetProperty("error").ValueKind));
        Assert.All(silos, s => Assert.Equal("Active", s.GetProperty("status").GetString()));
        Assert.Equal(_b.HttpUrl, silos[1].GetProperty("http_url").GetString());
        Assert.True(silos[1].GetProperty("memory_mb").GetDouble() > 1);
        var g = json.GetProperty("gateways").EnumerateArray().Single(g => g.GetProperty("id").GetString() == gateway);
        Assert.Equal(12, g.GetProperty("requests_per_sec").GetDouble());
    }

    [Fact]
    public async Task Grain_AskedOnA_NamesOwnerBAndReadsItsState()
    {
        var destination = KeyOwnedByB(GrainDescriptors.BackendGrainType, i => BackendKey.For("own", "d" + i)).Split('/')[1];
        await _b.Grains.GetGrain<IBackendGrain>(BackendKey.For("own", destination)).ConfigureAsync(new BackendConfig("own", destination, "http://127.0.0.1:1/"));

        var json = await PollAAsync($"/api/grains/backend/own%2F{destination}", j => j.GetProperty("active").ValueKind != JsonValueKind.Null);

        Assert.Equal(_b.Address.ToString(), json.GetProperty("owner").GetString());
        Assert.Equal(_b.HttpUrl, json.GetProperty("owner_http_url").GetString());
        Assert.True(json.GetProperty("active").GetBoolean());
        Assert.Equal(destination, json.GetProperty("state").GetProperty("destination_id").GetString());
    }

    [Fact]
    public async Task Clients_CreatedOnB_ListedOnAWithLiveState()
    {
        var id = "two-" + Guid.NewGuid().ToString("N")[..8];
        await _b.Http.SendAsync(HttpMethod.Post, "/clients", $"{{\"client_id\":\"{id}\",\"capacity\":33,\"rate_per_sec\":3}}");

        var (_, json, _) = await _a.Http.SendAsync(HttpMethod.Get, "/api/clients?search=two-");

        var c = Assert.Single(json.GetProperty("clients").EnumerateArray());
        Assert.Equal(id, c.GetProperty("client_id").GetString());
        Assert.Equal(33, c.GetProperty("tokens").GetDouble(), 3);
        Assert.Equal(1, json.GetProperty("total").GetInt64());
    }
}
