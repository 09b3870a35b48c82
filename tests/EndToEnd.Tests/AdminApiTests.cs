using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Granary.EndToEnd.Tests.Infrastructure;

namespace Granary.EndToEnd.Tests;

/// <summary>The admin API on a real silo process: bad input gets a clear JSON error; changes reach every gateway at once.</summary>
public sealed class AdminApiTests
{
    private static async Task<JsonElement> ErrorAsync(HttpResponseMessage response, int expected)
    {
        Assert.Equal(expected, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        Assert.Equal(expected, body.GetProperty("code").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("message").GetString()));
        return body;
    }

    [Fact]
    public async Task AdminApi_BadInputAndUnknownIds_GetJsonErrors_AndLimitChangesApplyOnEveryGateway()
    {
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec { Gateways = 2, BackendLatencyMs = [0] });
        var http = cluster.Http;

        using (var malformed = await http.PostAsync(cluster.SiloUrl + "/clients", new StringContent("{\"client_id\": \"x\", capacity: }", Encoding.UTF8, "application/json")))
            await ErrorAsync(malformed, 400);
        using (var badField = await http.PostAsJsonAsync(cluster.SiloUrl + "/clients", new { client_id = "x", capacity = -5, rate_per_sec = 1 }))
            Assert.Contains("capacity", (await ErrorAsync(badField, 400)).GetProperty("message").GetString());
        using (var unknown = await http.GetAsync(cluster.SiloUrl + "/clients/nobody"))
            await ErrorAsync(unknown, 404);
        using (var unknownPut = await http.PutAsJsonAsync(cluster.SiloUrl + "/clients/nobody", new { capacity = 5, rate_per_sec = 1 }))
            await ErrorAsync(unknownPut, 404);

        // Limits changed through the silo take effect on both gateways at once.
        await cluster.CreateClientAsync("live", capacity: 1000, ratePerSec: 1000);
        using (var put = await http.PutAsJsonAsync(cluster.SiloUrl + "/clients/live", new { capacity = 3, rate_per_sec = 0.01 }))
            Assert.Equal(200, (int)put.StatusCode);
        var result = await LoadRunner.RunAsync(http, [.. cluster.Gateways.Select(g => g.Url)], workers: 2, maxRequests: 20, maxDuration: TimeSpan.FromSeconds(20), clientId: "live");
        Assert.Equal(3, result.Count(200));
        Assert.Equal(17, result.Count(429));
    }
}
