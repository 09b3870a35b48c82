using System.Net;
using System.Text.Json;
using Granary.Grains.Contracts;
using Granary.Silo.Dashboard;

namespace Granary.Silo.Tests;

/// <summary>The dashboard JSON API on one silo (development clustering, memory storage): each endpoint's shape, read through Orleans.</summary>
public sealed class DashboardApiTests(SiloFixture silo) : IClassFixture<SiloFixture>
{
    private readonly HttpClient _http = silo.Http;

    private static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    private IGrainFactory Grains => silo.Services.GetRequiredService<IGrainFactory>();

    [Fact]
    public async Task Overview_SingleSilo_ListsThisSiloWithItsFigures()
    {
        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, "/api/overview");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("granary", json.GetProperty("cluster_id").GetString());
        Assert.True(json.GetProperty("view_version").GetInt64() > 0);
        Assert.True(json.GetProperty("generated_at").GetInt64() > 1_700_000_000_000);
        var s = Assert.Single(json.GetProperty("silos").EnumerateArray());
        var address = s.GetProperty("address").GetString()!;
        Assert.Matches($@"^127\.0\.0\.1:{silo.SiloPort}@\d+$", address);
        Assert.Equal(address, json.GetProperty("answered_by").GetString());
        Assert.Equal(address[(address.IndexOf('@') + 1)..], s.GetProperty("generation").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Active", s.GetProperty("status").GetString());
        Assert.True(s.GetProperty("started_at").GetInt64() > 1_700_000_000_000);
        Assert.False(string.IsNullOrEmpty(s.GetProperty("name").GetString()));
        Assert.True(s.GetProperty("activations").GetInt32() > 0);
        Assert.InRange(s.GetProperty("cpu_percent").GetDouble(), 0, 100);
        Assert.True(s.GetProperty("memory_mb").GetDouble() > 1);
        foreach (var type in new[] { "backend", "client", "gateway" })
            Assert.True(s.GetProperty("grains").GetProperty(type).GetInt32() >= 0, $"grains.{type}");
        Assert.Equal(JsonValueKind.Null, s.GetProperty("error").ValueKind);
        Assert.Equal(JsonValueKind.Array, json.GetProperty("gateways").ValueKind);
    }

    [Fact]
    public async Task Overview_ClientGrainActivated_CountedUnderClient()
    {
        var (_, before, _) = await _http.SendAsync(HttpMethod.Get, "/api/overview");
        await Grains.GetGrain<IClientGrain>(NewId("count-")).GetStateAsync();

        var (_, after, _) = await _http.SendAsync(HttpMethod.Get, "/api/overview");

        int Clients(JsonElement j) => j.GetProperty("silos")[0].GetProperty("grains").GetProperty("client").GetInt32();
        Assert.True(Clients(after) >= Clients(before) + 1, $"client activations {Clients(before)} → {Clients(after)}");
    }

    [Fact]
    public async Task Overview_GrainCallsBetweenReads_ShowACallRate()
    {
        // The rate needs two samples of the silo's running total at least 1 s apart (CallRates); calls in between count.
        await _http.SendAsync(HttpMethod.Get, "/api/overview");
        var grain = Grains.GetGrain<IClientGrain>(NewId("rate-"));
        JsonElement later;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            for (var i = 0; i < 20; i++)
                await grain.GetStateAsync();
            later = (await _http.SendAsync(HttpMethod.Get, "/api/overview")).Body;
        }
        while (later.GetProperty("silos")[0].GetProperty("grain_calls_per_sec").ValueKind == JsonValueKind.Null && DateTime.UtcNow < deadline);

        Assert.True(later.GetProperty("silos")[0].GetProperty("grain_calls_per_sec").GetDouble() > 0);
    }

    [Fact]
    public async Task Overview_GatewayHeartbeat_ListsTheGateway()
    {
        var id = NewId("gw-");
        await Grains.GetGrain<IGatewayGrain>(id).ReportAsync(new GatewayStats(id, 456.5, Fallback: true, SiloConnected: true, InFlight: 3, ReportedAtUnixMs: 0));

        var (_, json, _) = await _http.SendAsync(HttpMethod.Get, "/api/overview");

        var g = json.GetProperty("gateways").EnumerateArray().Single(g => g.GetProperty("id").GetString() == id);
        Assert.InRange(g.GetProperty("last_seen_ms_ago").GetInt64(), 0, 15_000);
        Assert.Equal(456.5, g.GetProperty("requests_per_sec").GetDouble());
        Assert.True(g.GetProperty("fallback").GetBoolean());
        Assert.True(g.GetProperty("silo_connected").GetBoolean());
        Assert.Equal(3, g.GetProperty("in_flight").GetInt64());
    }

    [Fact]
    public async Task Overview_GatewayGrainWithoutHeartbeat_IsOmitted()
    {
        var id = NewId("gw-");
        await Grains.GetGrain<IGatewayGrain>(id).GetStatsAsync(); // activated, never reported

        var (_, json, _) = await _http.SendAsync(HttpMethod.Get, "/api/overview");

        Assert.DoesNotContain(json.GetProperty("gateways").EnumerateArray(), g => g.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Backends_ConfiguredBackend_HasTheDashboardFields()
    {
        var destination = NewId("d-");
        await Grains.GetGrain<IBackendGrain>(BackendKey.For("dash", destination))
            .ConfigureAsync(new BackendConfig("dash", destination, "http://127.0.0.1:1/", Policy: "LeastConnections"));

        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, "/api/backends");

        Assert.Equal(HttpStatusCode.OK, status);
        var b = json.GetProperty("backends").EnumerateArray().Single(b => b.GetProperty("destination_id").GetString() == destination);
        Assert.Equal("LeastConnections", b.GetProperty("policy").GetString());
        Assert.Equal(0, b.GetProperty("requests_per_sec").GetDouble());
        Assert.Equal(0, b.GetProperty("p99_latency_ms").GetDouble());
        Assert.Equal(JsonValueKind.Array, b.GetProperty("history").ValueKind);
        Assert.StartsWith($"127.0.0.1:{silo.SiloPort}@", b.GetProperty("silo").GetString(), StringComparison.Ordinal);
        foreach (var field in new[] { "cluster_id", "address", "configured", "healthy", "active_healthy", "ejected", "in_flight", "ewma_latency_ms", "weight",
                     "requests", "failures", "health_reason", "health_changed_at", "ejections", "contributions" })
            Assert.True(b.TryGetProperty(field, out _), $"missing {field}");
        Assert.True(json.GetProperty("total").GetInt32() >= 1);
        Assert.Empty(json.GetProperty("errors").EnumerateArray());
    }

    [Fact]
    public async Task Backends_HistoryAfterTraffic_HasSamplesWithTimeRpsAndLatency()
    {
        var destination = NewId("h-");
        var grain = Grains.GetGrain<IBackendGrain>(BackendKey.For("dash", destination));
        await grain.ConfigureAsync(new BackendConfig("dash", destination, "http://127.0.0.1:1/"));
        var details = await grain.GetDetailsAsync();

        var (_, json, _) = await _http.SendAsync(HttpMethod.Get, "/api/backends");

        var b = json.GetProperty("backends").EnumerateArray().Single(b => b.GetProperty("destination_id").GetString() == destination);
        var history = b.GetProperty("history").EnumerateArray().ToList();
        Assert.True(history.Count >= details.History.Count);
        foreach (var point in history)
        {
            Assert.True(point.GetProperty("t").GetInt64() > 0);
            Assert.True(point.GetProperty("rps").GetDouble() >= 0);
            Assert.True(point.GetProperty("latency_ms").GetDouble() >= 0);
        }
    }

    [Theory]
    [InlineData("/api/local/overview")]
    [InlineData("/api/local/backends")]
    public async Task LocalEndpoints_Gone_Return404Json(string path)
    {
        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, path);

        Assert.Equal(HttpStatusCode.NotFound, status);
        HttpJson.AssertError(json, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Clients_SearchByPrefix_PagesWithNextAfterAndTotal()
    {
        var prefix = NewId("p") + "-";
        foreach (var i in Enumerable.Range(0, 5))
            await _http.SendAsync(HttpMethod.Post, "/clients", $"{{\"client_id\":\"{prefix}{i}\",\"capacity\":{10 + i},\"rate_per_sec\":2}}");

        var first = await _http.SendAsync(HttpMethod.Get, $"/api/clients?search={prefix}&limit=3");
        var after = first.Body.GetProperty("next_after").GetString();
        var second = await _http.SendAsync(HttpMethod.Get, $"/api/clients?search={prefix}&limit=3&after={after}");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal([prefix + "0", prefix + "1", prefix + "2"], first.Body.GetProperty("clients").EnumerateArray().Select(c => c.GetProperty("client_id").GetString()));
        Assert.Equal(prefix + "2", after);
        Assert.Equal(5, first.Body.GetProperty("total").GetInt64());
        Assert.Equal([prefix + "3", prefix + "4"], second.Body.GetProperty("clients").EnumerateArray().Select(c => c.GetProperty("client_id").GetString()));
        Assert.Equal(JsonValueKind.Null, second.Body.GetProperty("next_after").ValueKind);
    }

    [Fact]
    public async Task Clients_Row_HasLimitsLiveBucketAndTimestamps()
    {
        var id = NewId("row-");
        await _http.SendAsync(HttpMethod.Post, "/clients", $"{{\"client_id\":\"{id}\",\"capacity\":40,\"rate_per_sec\":4}}");

        var (_, json, _) = await _http.SendAsync(HttpMethod.Get, $"/api/clients?search={id}");

        var c = Assert.Single(json.GetProperty("clients").EnumerateArray());
        Assert.Equal(id, c.GetProperty("client_id").GetString());
        Assert.Equal(40, c.GetProperty("capacity").GetInt64());
        Assert.Equal(4, c.GetProperty("rate_per_sec").GetDouble());
        Assert.Equal(40, c.GetProperty("tokens").GetDouble(), 3);
        Assert.Equal(0, c.GetProperty("admitted").GetInt64());
        Assert.Equal(0, c.GetProperty("rejected").GetInt64());
        Assert.True(c.GetProperty("created_at").GetDateTimeOffset() > DateTimeOffset.UnixEpoch);
        Assert.True(c.GetProperty("updated_at").GetDateTimeOffset() > DateTimeOffset.UnixEpoch);
        Assert.Equal(JsonValueKind.Null, c.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task Clients_NotRegisteredClientsWithRequests_ListedInActiveDefaultByIdWithLiveState()
    {
        var prefix = NewId("ad") + "-";
        await _http.SendAsync(HttpMethod.Post, "/clients", $"{{\"client_id\":\"{prefix}reg\",\"capacity\":40,\"rate_per_sec\":4}}");
        foreach (var id in new[] { prefix + "b", prefix + "reg", prefix + "a", prefix + "a" })
            await Grains.GetGrain<IClientGrain>(id).TryAcquireAsync(new AcquireTokens(1)); // as gateways do
        await Grains.GetGrain<IClientGrain>(NewId("other-")).TryAcquireAsync(new AcquireTokens(1));

        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, $"/api/clients?search={prefix}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([prefix + "reg"], json.GetProperty("clients").EnumerateArray().Select(c => c.GetProperty("client_id").GetString()));
        var active = json.GetProperty("active_default").EnumerateArray().ToList();
        Assert.Equal([prefix + "a", prefix + "b"], active.Select(c => c.GetProperty("client_id").GetString()));
        Assert.Equal(2, json.GetProperty("active_default_total").GetInt32());
        Assert.False(json.GetProperty("active_default_capped").GetBoolean());
        Assert.Empty(json.GetProperty("errors").EnumerateArray());
        var a = active[0];
        Assert.Equal("default", a.GetProperty("limits_source").GetString());
        Assert.Equal((7L, 3.0), (a.GetProperty("capacity").GetInt64(), a.GetProperty("rate_per_sec").GetDouble()));
        Assert.Equal((2L, 0L), (a.GetProperty("admitted").GetInt64(), a.GetProperty("rejected").GetInt64()));
        Assert.InRange(a.GetProperty("tokens").GetDouble(), 5, 7);
        Assert.Equal(JsonValueKind.Null, a.GetProperty("created_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, a.GetProperty("updated_at").ValueKind);
    }

    [Fact]
    public async Task Clients_MoreActiveDefaultThanTheCap_FirstByIdAndTotalCountsAll()
    {
        var prefix = NewId("cap") + "-";
        var ids = Enumerable.Range(0, ClientsApiHandler.MaxActiveDefault + 3).Select(i => $"{prefix}{i:D3}").ToList();
        await Task.WhenAll(ids.Select(id => Grains.GetGrain<IClientGrain>(id).TryAcquireAsync(new AcquireTokens(1)).AsTask()));

        var (_, json, _) = await _http.SendAsync(HttpMethod.Get, $"/api/clients?search={prefix}");

        Assert.Equal(ids.Take(ClientsApiHandler.MaxActiveDefault), json.GetProperty("active_default").EnumerateArray().Select(c => c.GetProperty("client_id").GetString()));
        Assert.Equal(ids.Count, json.GetProperty("active_default_total").GetInt32());
        Assert.Empty(json.GetProperty("clients").EnumerateArray());
        Assert.Equal(0, json.GetProperty("total").GetInt64());
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=501")]
    [InlineData("limit=abc")]
    public async Task Clients_BadLimit_Returns400Json(string query)
    {
        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, "/api/clients?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("limit", HttpJson.AssertError(json, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grain_Client_ReturnsOwnerAndState()
    {
        var id = NewId("g-");
        await _http.SendAsync(HttpMethod.Post, "/clients", $"{{\"client_id\":\"{id}\",\"capacity\":12,\"rate_per_sec\":1}}");

        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, "/api/grains/client/" + id);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("client/" + id, json.GetProperty("grain_id").GetString());
        Assert.Equal("client", json.GetProperty("type").GetString());
        Assert.Equal(id, json.GetProperty("key").GetString());
        Assert.StartsWith($"127.0.0.1:{silo.SiloPort}@", json.GetProperty("owner").GetString(), StringComparison.Ordinal);
        Assert.True(json.GetProperty("active").GetBoolean());
        Assert.Equal(12, json.GetProperty("state").GetProperty("capacity").GetInt64());
    }

    [Theory]
    [InlineData("%2F")]
    [InlineData("/")]
    public async Task Grain_BackendKeyWithEncodedOrPlainSlash_ReturnsDetails(string slash)
    {
        var destination = NewId("l-");
        await Grains.GetGrain<IBackendGrain>(BackendKey.For("look", destination)).ConfigureAsync(new BackendConfig("look", destination, "http://127.0.0.1:1/"));

        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, $"/api/grains/backend/look{slash}{destination}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"look/{destination}", json.GetProperty("key").GetString());
        Assert.True(json.GetProperty("active").GetBoolean());
        Assert.Equal(destination, json.GetProperty("state").GetProperty("destination_id").GetString());
    }

    [Fact]
    public async Task Grain_InactiveBackend_ReturnsNullStateAndDoesNotActivateIt()
    {
        var key = "ghost%2F" + NewId("x-");

        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, "/api/grains/backend/" + key);
        var again = await _http.SendAsync(HttpMethod.Get, "/api/grains/backend/" + key);
        var (_, backends, _) = await _http.SendAsync(HttpMethod.Get, "/api/backends");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(json.GetProperty("active").GetBoolean());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("owner").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("state").ValueKind);
        Assert.False(again.Body.GetProperty("active").GetBoolean());
        Assert.DoesNotContain(backends.GetProperty("backends").EnumerateArray(), b => b.GetProperty("cluster_id").GetString() == "ghost");
    }

    [Fact]
    public async Task Grain_UnknownType_Returns404Json()
    {
        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, "/api/grains/widget/x");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("widget", HttpJson.AssertError(json, HttpStatusCode.NotFound), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/grains/client/a%20b")]
    [InlineData("/api/grains/backend/noslash")]
    public async Task Grain_BadKey_Returns400Json(string path)
    {
        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, path);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        HttpJson.AssertError(json, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("/dashboard")]
    [InlineData("/dashboard/")]
    public async Task Dashboard_Get_ServesTheIndexPage(string path)
    {
        using var response = await _http.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<html", html, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("/dashboard/", response.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
    }
}
