using System.Net;
using System.Text.Json;
using Granary.Silo.Auth;

namespace Granary.Silo.Tests;

public sealed partial class AdminKeyTests(AdminKeySiloFixture silo) : IClassFixture<AdminKeySiloFixture>
{
    private readonly HttpClient _http = silo.Http;

    private static string NewId() => "k-" + Guid.NewGuid().ToString("N")[..12];

    private static string NewClientBody(string id) => $"{{\"client_id\":\"{id}\",\"capacity\":5,\"rate_per_sec\":1}}";

    /// <summary>Sends a request; <paramref name="form"/> is "x" (X-Admin-Key), "bearer" (Authorization: Bearer) or null (no key).</summary>
    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, string? body, string? key, string form = "x")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        if (key is not null && form == "x")
            request.Headers.TryAddWithoutValidation("X-Admin-Key", key);
        else if (key is not null)
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    private long AuthFailures(string reason) => silo.Counters.Get("granary.silo.auth.failures", "reason", reason);

    [Theory]
    [InlineData("POST", "/clients")]
    [InlineData("PUT", "/clients/someone")]
    [InlineData("DELETE", "/clients/someone")]
    [InlineData("GET", "/clients")]
    [InlineData("GET", "/clients/someone")]
    [InlineData("GET", "/api/overview")]
    [InlineData("GET", "/api/backends")]
    [InlineData("GET", "/api/clients")]
    [InlineData("POST", "/api/session")]
    [InlineData("GET", "/api/grains/client/someone")]
    [InlineData("GET", "/")]
    [InlineData("GET", "/no/such/route")]
    public async Task AnyRoute_MissingKey_Returns401JsonWithBearerChallenge(string method, string path)
    {
        var (status, body, response) = await SendAsync(new HttpMethod(method), path, method is "POST" or "PUT" ? NewClientBody(NewId()) : null, null);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(AdminAuthenticator.MissingMessage, HttpJson.AssertError(body, HttpStatusCode.Unauthorized));
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        response.Dispose();
    }

    [Theory]
    [InlineData("x", "")]
    [InlineData("bearer", "")]
    [InlineData("basic", "")]
    public async Task Get_EmptyOrNonBearerCredentials_Returns401Missing(string form, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/overview");
        if (form == "x")
            request.Headers.TryAddWithoutValidation("X-Admin-Key", key);
        else if (form == "bearer")
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        else
            request.Headers.TryAddWithoutValidation("Authorization", "Basic " + Convert.ToBase64String("admin:x"u8.ToArray()));
        using var response = await _http.SendAsync(request);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(AdminAuthenticator.MissingMessage, HttpJson.AssertError(body, HttpStatusCode.Unauthorized));
    }

    [Theory]
    [InlineData("x", "wrong-key-7f3a9c1e")]
    [InlineData("bearer", "wrong-key-7f3a9c1e")]
    [InlineData("x", AdminKeySiloFixture.Key + "x")]
    [InlineData("x", "s3cret-admin-key-number-on")]
    [InlineData("bearer", AdminKeySiloFixture.SecondKey + AdminKeySiloFixture.Key)]
    public async Task Write_WrongKey_Returns401CountsAndLogsWithoutTheKey(string form, string key)
    {
        var before = AuthFailures("wrong");
        var path = "/clients/" + NewId();

        var (status, body, response) = await SendAsync(HttpMethod.Put, path, "{\"capacity\":9}", key, form);
        response.Dispose();

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(AdminAuthenticator.WrongMessage, HttpJson.AssertError(body, HttpStatusCode.Unauthorized));
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.True(AuthFailures("wrong") >= before + 1, "granary.silo.auth.failures{reason=wrong} did not rise");
        var line = Assert.Single(silo.Logs.Entries, e => e.EventId is 40 or 41 && e.Message.Contains(path, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("wrong key", line.Message, StringComparison.Ordinal);
        Assert.Contains("PUT", line.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", line.Message, StringComparison.Ordinal);
        // Neither the presented key nor any configured key, nor an 8-character piece of one, is in any log line.
        foreach (var secret in new[] { key, AdminKeySiloFixture.Key, AdminKeySiloFixture.SecondKey })
        {
            foreach (var piece in Enumerable.Range(0, secret.Length - 7).Select(i => secret.Substring(i, 8)).Distinct())
                Assert.DoesNotContain(silo.Logs.Entries, e => e.Message.Contains(piece, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Get_MissingKey_CountsReasonMissing()
    {
        var before = AuthFailures("missing");

        var (status, _, response) = await SendAsync(HttpMethod.Get, "/api/backends", null, null);
        response.Dispose();

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(AuthFailures("missing") >= before + 1, "granary.silo.auth.failures{reason=missing} did not rise");
    }

    [Theory]
    [InlineData(AdminKeySiloFixture.Key, "x")]
    [InlineData(AdminKeySiloFixture.Key, "bearer")]
    [InlineData(AdminKeySiloFixture.SecondKey, "x")]
    [InlineData(AdminKeySiloFixture.SecondKey, "bearer")]
    public async Task ClientLifecycle_EitherKeyEitherHeader_Succeeds(string key, string form)
    {
        var id = NewId();

        var created = await SendAsync(HttpMethod.Post, "/clients", NewClientBody(id), key, form);
        var read = await SendAsync(HttpMethod.Get, "/clients/" + id, null, key, form);
        var listed = await SendAsync(HttpMethod.Get, "/api/clients?search=" + id, null, key, form);
        var updated = await SendAsync(HttpMethod.Put, "/clients/" + id, "{\"capacity\":9}", key, form);
        var deleted = await SendAsync(HttpMethod.Delete, "/clients/" + id, null, key, form);

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.Equal(5, read.Body.GetProperty("capacity").GetInt64());
        Assert.Equal(HttpStatusCode.OK, listed.Status);
        Assert.Equal(id, Assert.Single(listed.Body.GetProperty("clients").EnumerateArray()).GetProperty("client_id").GetString());
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal(9, updated.Body.GetProperty("capacity").GetInt64());
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
    }

    [Theory]
    [InlineData("/api/overview")]
    [InlineData("/api/backends")]
    [InlineData("/clients")]
    [InlineData("/")]
    public async Task Reads_RightKey_Return200(string path)
    {
        var (status, _, response) = await SendAsync(HttpMethod.Get, path, null, AdminKeySiloFixture.SecondKey, "bearer");
        response.Dispose();

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task UpdateAndDelete_NoKey_Return401AndChangeNothing()
    {
        var id = NewId();
        await SendAsync(HttpMethod.Post, "/clients", NewClientBody(id), AdminKeySiloFixture.Key);

        var put = await SendAsync(HttpMethod.Put, "/clients/" + id, "{\"capacity\":9}", null);
        var delete = await SendAsync(HttpMethod.Delete, "/clients/" + id, null, null);
        var get = await SendAsync(HttpMethod.Get, "/clients/" + id, null, AdminKeySiloFixture.Key);

        Assert.Equal(HttpStatusCode.Unauthorized, put.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, delete.Status);
        Assert.Equal(HttpStatusCode.OK, get.Status);
        Assert.Equal(5, get.Body.GetProperty("capacity").GetInt64());
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/metrics")]
    [InlineData("/dashboard/")]
    [InlineData("/dashboard/dashboard.js")]
    public async Task OpenPaths_NoKey_Return200(string path)
    {
        using var response = await _http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Overview_BearerKey_ListsTheSiloWithoutError()
    {
        var (status, body, response) = await SendAsync(HttpMethod.Get, "/api/overview", null, AdminKeySiloFixture.SecondKey, "bearer");
        response.Dispose();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.All(body.GetProperty("silos").EnumerateArray(), s => Assert.Equal(JsonValueKind.Null, s.GetProperty("error").ValueKind));
    }
}
