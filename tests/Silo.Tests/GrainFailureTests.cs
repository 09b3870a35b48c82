using System.Net;
using System.Text.Json;

namespace Granary.Silo.Tests;

/// <summary>How the admin API and <c>/api</c> answer when a client grain fails: JSON 504, 503 or 400, or an <c>error</c> field where the registry alone still answers.</summary>
public sealed class GrainFailureTests(FailingGrainsSiloFixture silo) : IClassFixture<FailingGrainsSiloFixture>
{
    private readonly HttpClient _http = silo.Http;

    private static string Body(string id) => $"{{\"client_id\":\"{id}\",\"capacity\":10,\"rate_per_sec\":1}}";

    [Theory]
    [InlineData("fail-timeout-", HttpStatusCode.GatewayTimeout, "did not answer in time")]
    [InlineData("fail-orleans-", HttpStatusCode.ServiceUnavailable, "could not be reached (OrleansException)")]
    [InlineData("fail-arg-", HttpStatusCode.BadRequest, "test: the grain refuses these limits")]
    public async Task CreateClient_GrainFails_MappedStatusAndRegistryKeepsTheClient(string prefix, HttpStatusCode expected, string reason)
    {
        var id = prefix + Guid.NewGuid().ToString("N")[..8];

        var created = await _http.SendAsync(HttpMethod.Post, "/clients", Body(id));
        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, "/clients/" + id);

        Assert.Equal(expected, created.Status);
        var message = HttpJson.AssertError(created.Body, expected);
        Assert.Contains($"Client '{id}' was saved in the registry", message, StringComparison.Ordinal);
        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(10, json.GetProperty("capacity").GetInt64());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("tokens").ValueKind);
        Assert.Contains(reason, json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateAndDeleteClient_GrainUnavailable_503NamingWhatWasKept()
    {
        var id = "fail-orleans-" + Guid.NewGuid().ToString("N")[..8];
        await _http.SendAsync(HttpMethod.Post, "/clients", Body(id));

        var put = await _http.SendAsync(HttpMethod.Put, "/clients/" + id, "{\"capacity\":20}");
        var delete = await _http.SendAsync(HttpMethod.Delete, "/clients/" + id);
        var gone = await _http.SendAsync(HttpMethod.Get, "/clients/" + id);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, put.Status);
        Assert.Contains("repeat PUT", HttpJson.AssertError(put.Body, HttpStatusCode.ServiceUnavailable), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, delete.Status);
        Assert.Contains("removed from the registry", HttpJson.AssertError(delete.Body, HttpStatusCode.ServiceUnavailable), StringComparison.Ordinal);
        // Gone from the registry, the client is answered from its grain alone, which still fails.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, gone.Status);
        HttpJson.AssertError(gone.Body, HttpStatusCode.ServiceUnavailable);
    }

    [Theory]
    [InlineData("fail-timeout-", HttpStatusCode.GatewayTimeout, "The client grain did not answer in time")]
    [InlineData("fail-orleans-", HttpStatusCode.ServiceUnavailable, "The client grain could not be reached (OrleansException); retry shortly")]
    public async Task GetClient_NotRegisteredAndGrainFails_AnswersTheGrainErrorNot404(string prefix, HttpStatusCode expected, string message)
    {
        var id = prefix + Guid.NewGuid().ToString("N")[..8];

        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, "/clients/" + id);

        Assert.Equal(expected, status);
        Assert.Equal(message, HttpJson.AssertError(json, expected));
    }

    [Fact]
    public async Task ApiClients_OneGrainFails_RowHasErrorOthersLive()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var bad = $"fail-timeout-{tag}";
        await _http.SendAsync(HttpMethod.Post, "/clients", Body(bad));
        var good = $"fine-{tag}";
        await _http.SendAsync(HttpMethod.Post, "/clients", Body(good));

        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, "/api/clients?search=fail-timeout-" + tag);
        var (_, fine, _) = await _http.SendAsync(HttpMethod.Get, "/api/clients?search=" + good);

        Assert.Equal(HttpStatusCode.OK, status);
        var row = Assert.Single(json.GetProperty("clients").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("tokens").ValueKind);
        Assert.False(string.IsNullOrEmpty(row.GetProperty("error").GetString()));
        Assert.Equal(10, Assert.Single(fine.GetProperty("clients").EnumerateArray()).GetProperty("tokens").GetDouble(), 3);
    }

    [Fact]
    public async Task GrainLookup_ClientFails_ErrorFieldNoState()
    {
        var id = "fail-orleans-" + Guid.NewGuid().ToString("N")[..8];

        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, "/api/grains/client/" + id);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("state").ValueKind);
        Assert.Contains("OrleansException", json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
