using System.Net;
using System.Text.Json;
using Granary.Grains.Contracts;

namespace Granary.Silo.Tests;

public sealed class AdminApiTests(SiloFixture silo) : IClassFixture<SiloFixture>
{
    private readonly HttpClient _http = silo.Http;

    private static string NewId() => "c-" + Guid.NewGuid().ToString("N")[..12];

    [Theory]
    [InlineData("{bad")]
    [InlineData("{\"client_id\":\"a\",")]
    [InlineData("not json")]
    [InlineData("")]
    public async Task CreateClient_MalformedJson_Returns400NamingTheProblem(string body)
    {
        var (status, json, _) = await _http.SendAsync(HttpMethod.Post, "/clients", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("Malformed JSON", HttpJson.AssertError(json, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"capacity\":10,\"rate_per_sec\":1}", "client_id")]
    [InlineData("{\"client_id\":\"x1\",\"rate_per_sec\":1}", "capacity")]
    [InlineData("{\"client_id\":\"x1\",\"capacity\":10}", "rate_per_sec")]
    public async Task CreateClient_MissingField_Returns400NamingIt(string body, string field)
    {
        var (status, json, _) = await _http.SendAsync(HttpMethod.Post, "/clients", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal($"Missing field '{field}'", HttpJson.AssertError(json, HttpStatusCode.BadRequest));
    }

    [Theory]
    [InlineData("{\"client_id\":\"x1\",\"capacity\":0,\"rate_per_sec\":1}", "capacity")]
    [InlineData("{\"client_id\":\"x1\",\"capacity\":1.5,\"rate_per_sec\":1}", "capacity")]
    [InlineData("{\"client_id\":\"x1\",\"capacity\":\"10\",\"rate_per_sec\":1}", "capacity")]
    [InlineData("{\"client_id\":\"x1\",\"capacity\":1000000001,\"rate_per_sec\":1}", "capacity")]
    [InlineData("{\"client_id\":\"x1\",\"capacity\":10,\"rate_per_sec\":0}", "rate_per_sec")]
    [InlineData("{\"client_id\":\"x1\",\"capacity\":10,\"rate_per_sec\":-2}", "rate_per_sec")]
    [InlineData("{\"client_id\":\"x1\",\"capacity\":10,\"rate_per_sec\":null}", "rate_per_sec")]
    [InlineData("{\"client_id\":\"a b\",\"capacity\":10,\"rate_per_sec\":1}", "client_id")]
    [InlineData("{\"client_id\":\"\",\"capacity\":10,\"rate_per_sec\":1}", "client_id")]
    [InlineData("{\"client_id\":7,\"capacity\":10,\"rate_per_sec\":1}", "client_id")]
    [InlineData("{\"client_id\":\"x1\",\"capacity\":10,\"rate_per_sec\":1,\"burst\":3}", "burst")]
    [InlineData("{\"client_id\":\"x1\",\"capacity\":10,\"capacity\":11,\"rate_per_sec\":1}", "capacity")]
    [InlineData("[1,2]", "JSON object")]
    public async Task CreateClient_InvalidField_Returns400NamingIt(string body, string field)
    {
        var (status, json, _) = await _http.SendAsync(HttpMethod.Post, "/clients", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(field, HttpJson.AssertError(json, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateClient_IdLongerThan128_Returns400NamingClientId()
    {
        var body = $"{{\"client_id\":\"{new string('a', 129)}\",\"capacity\":10,\"rate_per_sec\":1}}";

        var (status, json, _) = await _http.SendAsync(HttpMethod.Post, "/clients", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("client_id", HttpJson.AssertError(json, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task CreateAndPutClient_NonJsonContentType_Return415JsonAndCreateNothing(string contentType)
    {
        var id = NewId();
        var body = $"{{\"client_id\":\"{id}\",\"capacity\":10,\"rate_per_sec\":1}}";
        using var post = new HttpRequestMessage(HttpMethod.Post, "/clients") { Content = new StringContent(body) };
        post.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/clients/{id}") { Content = new StringContent("{\"capacity\":5}") };
        put.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);

        using var postResponse = await _http.SendAsync(post);
        using var putResponse = await _http.SendAsync(put);
        var (getStatus, _, _) = await _http.SendAsync(HttpMethod.Get, $"/clients/{id}");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, postResponse.StatusCode);
        Assert.Equal($"Content-Type must be application/json, got '{contentType}'",
            HttpJson.AssertError(System.Text.Json.JsonDocument.Parse(await postResponse.Content.ReadAsStringAsync()).RootElement, HttpStatusCode.UnsupportedMediaType));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, putResponse.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, getStatus);
    }

    [Fact]
    public async Task CreateClient_BodyOver64KiB_Returns413Json()
    {
        var body = $"{{\"client_id\":\"x1\",\"capacity\":10,\"rate_per_sec\":1,\"pad\":\"{new string('p', 70_000)}\"}}";

        var (status, json, _) = await _http.SendAsync(HttpMethod.Post, "/clients", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        HttpJson.AssertError(json, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task GetClient_UnknownId_Returns404Json()
    {
        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, "/clients/nobody-here");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Client 'nobody-here' not found", HttpJson.AssertError(json, HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task GetClient_NotRegisteredButSentRequests_Returns200WithDefaultLimitsAndLiveBucket()
    {
        var id = NewId();
        var grain = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IClientGrain>(id);
        await grain.TryAcquireAsync(new AcquireTokens(1)); // as a gateway does for a request
        await grain.TryAcquireAsync(new AcquireTokens(1));

        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, $"/clients/{id}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(id, json.GetProperty("client_id").GetString());
        Assert.Equal("default", json.GetProperty("limits_source").GetString());
        Assert.Equal(7, json.GetProperty("capacity").GetInt64()); // the fixture's default limits
        Assert.Equal(3, json.GetProperty("rate_per_sec").GetDouble());
        Assert.InRange(json.GetProperty("tokens").GetDouble(), 5, 7);
        Assert.Equal(2, json.GetProperty("admitted").GetInt64());
        Assert.Equal(0, json.GetProperty("rejected").GetInt64());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("created_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("updated_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task GetClient_NotRegisteredGrainActiveWithoutRequests_Returns404Json()
    {
        var id = NewId();
        await silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IClientGrain>(id).GetStateAsync(); // a read activates it, nothing more

        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, $"/clients/{id}");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal($"Client '{id}' not found", HttpJson.AssertError(json, HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task GetClient_DeletedAfterRequests_AnswersItsBucketAtTheDefaultLimits()
    {
        var id = NewId();
        await _http.SendAsync(HttpMethod.Post, "/clients", $"{{\"client_id\":\"{id}\",\"capacity\":50,\"rate_per_sec\":20}}");
        await silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IClientGrain>(id).TryAcquireAsync(new AcquireTokens(1));
        await _http.SendAsync(HttpMethod.Delete, $"/clients/{id}");

        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, $"/clients/{id}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("default", 7L, 1L), (json.GetProperty("limits_source").GetString(), json.GetProperty("capacity").GetInt64(), json.GetProperty("admitted").GetInt64()));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("created_at").ValueKind);
    }

    [Fact]
    public async Task PutAndDeleteClient_UnknownId_Return404Json()
    {
        var put = await _http.SendAsync(HttpMethod.Put, "/clients/nobody-here", "{\"capacity\":3}");
        var delete = await _http.SendAsync(HttpMethod.Delete, "/clients/nobody-here");

        Assert.Equal(HttpStatusCode.NotFound, put.Status);
        HttpJson.AssertError(put.Body, HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, delete.Status);
        HttpJson.AssertError(delete.Body, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Client_CreateGetPutGetDelete_EachStepReflectsTheLast()
    {
        var id = NewId();

        var created = await _http.SendAsync(HttpMethod.Post, "/clients", $"{{\"client_id\":\"{id}\",\"capacity\":100,\"rate_per_sec\":10}}");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(id, created.Body.GetProperty("client_id").GetString());
        Assert.Equal(100, created.Body.GetProperty("capacity").GetInt64());
        Assert.Equal($"/clients/{id}", created.Response.Headers.Location?.OriginalString);

        var got = await _http.SendAsync(HttpMethod.Get, $"/clients/{id}");
        Assert.Equal(HttpStatusCode.OK, got.Status);
        Assert.Equal(100, got.Body.GetProperty("capacity").GetInt64());
        Assert.Equal(10, got.Body.GetProperty("rate_per_sec").GetDouble());
        Assert.Equal(100, got.Body.GetProperty("tokens").GetDouble(), 3);
        Assert.Equal(0, got.Body.GetProperty("admitted").GetInt64());
        Assert.Equal(0, got.Body.GetProperty("rejected").GetInt64());
        Assert.True(got.Body.TryGetProperty("created_at", out _));
        Assert.True(got.Body.TryGetProperty("updated_at", out _));

        // Partial update: only capacity; the rate is kept. The grain clamps its tokens to the new capacity at once.
        var put = await _http.SendAsync(HttpMethod.Put, $"/clients/{id}", "{\"capacity\":5}");
        Assert.Equal(HttpStatusCode.OK, put.Status);
        Assert.Equal(5, put.Body.GetProperty("capacity").GetInt64());
        Assert.Equal(10, put.Body.GetProperty("rate_per_sec").GetDouble());

        var after = await _http.SendAsync(HttpMethod.Get, $"/clients/{id}");
        Assert.Equal(5, after.Body.GetProperty("capacity").GetInt64());
        Assert.Equal(10, after.Body.GetProperty("rate_per_sec").GetDouble());
        Assert.True(after.Body.GetProperty("tokens").GetDouble() <= 5);

        var deleted = await _http.SendAsync(HttpMethod.Delete, $"/clients/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);

        var gone = await _http.SendAsync(HttpMethod.Get, $"/clients/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        HttpJson.AssertError(gone.Body, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeleteClient_ActiveGrain_GoesBackToConfiguredDefaults()
    {
        var id = NewId();
        await _http.SendAsync(HttpMethod.Post, "/clients", $"{{\"client_id\":\"{id}\",\"capacity\":50,\"rate_per_sec\":20}}");
        await _http.SendAsync(HttpMethod.Get, $"/clients/{id}");

        var deleted = await _http.SendAsync(HttpMethod.Delete, $"/clients/{id}");
        var (_, json, _) = await _http.SendAsync(HttpMethod.Get, "/api/grains/client/" + id);

        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        var state = json.GetProperty("state");
        Assert.Equal(7, state.GetProperty("capacity").GetInt64());
        Assert.Equal(3, state.GetProperty("rate_per_sec").GetDouble());
        Assert.Equal("default", state.GetProperty("limits_source").GetString());
    }

    [Fact]
    public async Task CreateClient_Duplicate_Returns409Json()
    {
        var id = NewId();
        var body = $"{{\"client_id\":\"{id}\",\"capacity\":10,\"rate_per_sec\":1}}";

        var first = await _http.SendAsync(HttpMethod.Post, "/clients", body);
        var second = await _http.SendAsync(HttpMethod.Post, "/clients", body);

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.Conflict, second.Status);
        Assert.Contains(id, HttpJson.AssertError(second.Body, HttpStatusCode.Conflict), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutClient_EmptyObject_Returns400()
    {
        var id = NewId();
        await _http.SendAsync(HttpMethod.Post, "/clients", $"{{\"client_id\":\"{id}\",\"capacity\":10,\"rate_per_sec\":1}}");

        var (status, json, _) = await _http.SendAsync(HttpMethod.Put, $"/clients/{id}", "{}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("capacity", HttpJson.AssertError(json, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListClients_PagedByAfter_WalksEveryClientOnce()
    {
        var prefix = "p-" + Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, 5).Select(i => $"{prefix}-{i}").ToList();
        foreach (var id in ids)
            await _http.SendAsync(HttpMethod.Post, "/clients", $"{{\"client_id\":\"{id}\",\"capacity\":10,\"rate_per_sec\":1}}");

        // Start just before the prefix so other tests' clients sort elsewhere; walk pages of 2.
        var seen = new List<string>();
        string? after = prefix;
        while (after is not null && seen.Count < 10)
        {
            var (status, json, _) = await _http.SendAsync(HttpMethod.Get, $"/clients?after={Uri.EscapeDataString(after)}&limit=2");
            Assert.Equal(HttpStatusCode.OK, status);
            var page = json.GetProperty("clients").EnumerateArray().Select(c => c.GetProperty("client_id").GetString()!).ToList();
            Assert.True(page.Count <= 2);
            seen.AddRange(page.Where(p => p.StartsWith(prefix, StringComparison.Ordinal)));
            if (page.Any(p => !p.StartsWith(prefix, StringComparison.Ordinal)))
                break;
            after = json.GetProperty("next_after").GetString();
        }

        Assert.Equal(ids, seen);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("ten")]
    public async Task ListClients_LimitOutOfRange_Returns400NamingLimit(string limit)
    {
        var (status, json, _) = await _http.SendAsync(HttpMethod.Get, $"/clients?limit={limit}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("limit", HttpJson.AssertError(json, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }
}
