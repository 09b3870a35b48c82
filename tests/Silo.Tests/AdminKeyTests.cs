using System.Net;

namespace Granary.Silo.Tests;

public sealed class AdminKeyTests(AdminKeySiloFixture silo) : IClassFixture<AdminKeySiloFixture>
{
    private readonly HttpClient _http = silo.Http;

    private static string NewId() => "k-" + Guid.NewGuid().ToString("N")[..12];

    private async Task<(HttpStatusCode Status, System.Text.Json.JsonElement Body)> SendAsync(HttpMethod method, string path, string? body, string? key)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        if (key is not null)
            request.Headers.Add("X-Admin-Key", key);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : System.Text.Json.JsonDocument.Parse(text).RootElement.Clone());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong")]
    [InlineData("")]
    [InlineData(AdminKeySiloFixture.Key + "x")]
    public async Task CreateClient_MissingOrWrongKey_Returns401Json(string? key)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/clients", $"{{\"client_id\":\"{NewId()}\",\"capacity\":5,\"rate_per_sec\":1}}", key);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(401, body.GetProperty("code").GetInt32());
        Assert.Equal("Missing or wrong X-Admin-Key", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ClientLifecycle_RightKey_Succeeds()
    {
        var id = NewId();

        var created = await SendAsync(HttpMethod.Post, "/clients", $"{{\"client_id\":\"{id}\",\"capacity\":5,\"rate_per_sec\":1}}", AdminKeySiloFixture.Key);
        var updated = await SendAsync(HttpMethod.Put, "/clients/" + id, "{\"capacity\":9}", AdminKeySiloFixture.Key);
        var deleted = await SendAsync(HttpMethod.Delete, "/clients/" + id, null, AdminKeySiloFixture.Key);

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal(9, updated.Body.GetProperty("capacity").GetInt64());
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
    }

    [Fact]
    public async Task UpdateAndDelete_NoKey_Return401AndChangeNothing()
    {
        var id = NewId();
        await SendAsync(HttpMethod.Post, "/clients", $"{{\"client_id\":\"{id}\",\"capacity\":5,\"rate_per_sec\":1}}", AdminKeySiloFixture.Key);

        var put = await SendAsync(HttpMethod.Put, "/clients/" + id, "{\"capacity\":9}", null);
        var delete = await SendAsync(HttpMethod.Delete, "/clients/" + id, null, null);
        var get = await SendAsync(HttpMethod.Get, "/clients/" + id, null, null);

        Assert.Equal(HttpStatusCode.Unauthorized, put.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, delete.Status);
        Assert.Equal(HttpStatusCode.OK, get.Status);
        Assert.Equal(5, get.Body.GetProperty("capacity").GetInt64());
    }

    [Theory]
    [InlineData("/clients")]
    [InlineData("/api/clients")]
    [InlineData("/api/overview")]
    [InlineData("/api/backends")]
    public async Task Reads_NoKey_StayOpen(string path)
    {
        var (status, _) = await SendAsync(HttpMethod.Get, path, null, null);

        Assert.Equal(HttpStatusCode.OK, status);
    }
}
