using System.Net;
using Granary.Grains.Contracts;

namespace Granary.Silo.Tests;

public sealed class SiloHttpTests(SiloFixture silo) : IClassFixture<SiloFixture>
{
    private readonly HttpClient _http = silo.Http;

    [Fact]
    public async Task Healthz_Get_ReturnsOkWithSiloAddressAndStatus()
    {
        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, "/healthz");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ok", json.GetProperty("status").GetString());
        Assert.Matches($@"^127\.0\.0\.1:{silo.SiloPort}@\d+$", json.GetProperty("silo").GetString());
        Assert.Equal("Active", json.GetProperty("silo_status").GetString());
    }

    [Fact]
    public async Task Healthz_Head_Returns200WithoutBody()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "/healthz");
        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Metrics_Get_PrometheusTextWithGranaryAndOrleansMeters()
    {
        var id = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        await _http.SendAsync(HttpMethod.Post, "/clients", $"{{\"client_id\":\"{id}\",\"capacity\":5,\"rate_per_sec\":1}}");

        using var response = await _http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
        Assert.Matches(@"(?m)^granary_silo_admin_changes_total\{operation=""create""\} [1-9]", text);
        Assert.Contains("\norleans_catalog_activations", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Index_Get_ListsTheEndpoints()
    {
        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, "/");

        Assert.Equal(HttpStatusCode.OK, status);
        var paths = json.GetProperty("endpoints").EnumerateArray().Select(e => e.GetProperty("path").GetString()).ToList();
        Assert.Contains("/healthz", paths);
        Assert.Contains("/api/backends", paths);
        Assert.Contains("/orleans", paths);
        Assert.DoesNotContain(paths, p => p!.StartsWith("/api/local", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnknownRoute_Get_Returns404Json()
    {
        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, "/no/such/route");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("/no/such/route", HttpJson.AssertError(json, HttpStatusCode.NotFound), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KnownRoute_WrongMethod_Returns405Json()
    {
        var (status, json, _) = await _http.SendAsync(HttpMethod.Patch, "/clients/someone", "{}");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, status);
        HttpJson.AssertError(json, HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task ApiClients_AfterAClientWasCreated_ListsItsLiveGrainState()
    {
        var id = "api-" + Guid.NewGuid().ToString("N")[..10];
        await _http.SendAsync(HttpMethod.Post, "/clients", $"{{\"client_id\":\"{id}\",\"capacity\":40,\"rate_per_sec\":4}}");

        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, "/api/clients?search=" + id);

        Assert.Equal(HttpStatusCode.OK, status);
        var client = json.GetProperty("clients").EnumerateArray().Single(c => c.GetProperty("client_id").GetString() == id);
        Assert.Equal(40, client.GetProperty("capacity").GetInt64());
        Assert.Equal(40, client.GetProperty("tokens").GetDouble(), 3);
        Assert.Equal("registry", client.GetProperty("limits_source").GetString());
    }

    [Fact]
    public async Task ApiBackends_NoneActive_ReturnsEmptyList()
    {
        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, "/api/backends");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(System.Text.Json.JsonValueKind.Array, json.GetProperty("backends").ValueKind);
    }

    [Fact]
    public async Task ApiBackends_ConfiguredBackend_ShowsItsDetails()
    {
        var destination = "d-" + Guid.NewGuid().ToString("N")[..8];
        var grains = silo.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IBackendGrain>(BackendKey.For("api-cluster", destination))
            .ConfigureAsync(new BackendConfig("api-cluster", destination, "http://127.0.0.1:1/", Weight: 3));

        var list = await _http.SendAsync(HttpMethod.Get, "/api/backends");
        var one = await _http.SendAsync(HttpMethod.Get, $"/api/backends/api-cluster/{destination}");

        var backend = list.Body.GetProperty("backends").EnumerateArray().Single(b => b.GetProperty("destination_id").GetString() == destination);
        Assert.Equal("api-cluster", backend.GetProperty("cluster_id").GetString());
        Assert.Equal("http://127.0.0.1:1/", backend.GetProperty("address").GetString());
        Assert.Equal(3, backend.GetProperty("weight").GetInt32());
        Assert.Equal(0, backend.GetProperty("in_flight").GetInt64());
        foreach (var field in new[] { "healthy", "active_healthy", "ejected", "ewma_latency_ms", "requests", "failures", "health_reason", "health_changed_at", "ejections", "contributions" })
            Assert.True(backend.TryGetProperty(field, out _), $"missing {field}");
        Assert.Equal(HttpStatusCode.OK, one.Status);
        Assert.Equal(destination, one.Body.GetProperty("destination_id").GetString());
    }

    [Fact]
    public async Task ApiBackend_NotActive_Returns404JsonAndDoesNotActivateIt()
    {
        var destination = "nodest-" + Guid.NewGuid().ToString("N")[..8];

        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, $"/api/backends/nocluster/{destination}");
        var again = await _http.SendAsync(HttpMethod.Get, $"/api/backends/nocluster/{destination}");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains($"nocluster/{destination}", HttpJson.AssertError(json, HttpStatusCode.NotFound), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, again.Status);
    }
}
