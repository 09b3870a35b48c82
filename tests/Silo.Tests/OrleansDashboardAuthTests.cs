using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Granary.Silo.Auth;

namespace Granary.Silo.Tests;

/// <summary>
/// Orleans's dashboard at <c>/orleans</c> behind the admin key: its page cannot send <c>X-Admin-Key</c>, so it
/// takes the session cookie that <c>POST /api/session</c> sets, or Basic credentials with the key as password.
/// </summary>
public sealed class OrleansDashboardAuthTests(AdminKeySiloFixture silo) : IClassFixture<AdminKeySiloFixture>
{
    private Uri Base => silo.Http.BaseAddress!;

    /// <summary>A client that neither stores cookies nor follows redirects, so each test sends exactly what it says.</summary>
    private HttpClient NewClient() => new(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = Base, Timeout = TimeSpan.FromSeconds(10) };

    private async Task<string> SessionCookieAsync(string key)
    {
        using var http = NewClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, AdminSessionEndpoints.Path);
        request.Headers.Add("X-Admin-Key", key);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var header = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        return header;
    }

    private static string CookieValue(string setCookie) => setCookie[(AdminSessionCookie.Name.Length + 1)..setCookie.IndexOf(';', StringComparison.Ordinal)];

    private async Task<HttpResponseMessage> GetAsync(string path, string? cookie = null, AuthenticationHeaderValue? authorization = null)
    {
        using var http = NewClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (cookie is not null)
            request.Headers.Add("Cookie", $"{AdminSessionCookie.Name}={cookie}");
        request.Headers.Authorization = authorization;
        return await http.SendAsync(request);
    }

    [Theory]
    [InlineData("/orleans")]
    [InlineData("/orleans/")]
    [InlineData("/orleans/index.min.js")]
    [InlineData("/orleans/ClusterStats")]
    public async Task Orleans_NoCredentials_401JsonWithBearerAndBasicChallenges(string path)
    {
        using var response = await GetAsync(path);
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(AdminAuthenticator.OrleansMissingMessage, HttpJson.AssertError(body, HttpStatusCode.Unauthorized));
        Assert.Equal(["Basic", "Bearer"], response.Headers.WwwAuthenticate.Select(h => h.Scheme).Order());
    }

    [Fact]
    public async Task Session_PostWithKey_SetsHttpOnlyStrictCookieWithoutTheKey()
    {
        var setCookie = await SessionCookieAsync(AdminKeySiloFixture.Key);

        Assert.StartsWith(AdminSessionCookie.Name + "=v1.", setCookie, StringComparison.Ordinal);
        Assert.Contains("path=/", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(AdminKeySiloFixture.Key, setCookie, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(AdminKeySiloFixture.Key)), setCookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_PostWithoutKey_401AndNoCookie()
    {
        using var http = NewClient();
        using var response = await http.PostAsync(AdminSessionEndpoints.Path, null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Theory]
    [InlineData(AdminKeySiloFixture.Key)]
    [InlineData(AdminKeySiloFixture.SecondKey)]
    public async Task Orleans_SessionCookieOfEitherKey_PageAndApiAnswer(string key)
    {
        var cookie = CookieValue(await SessionCookieAsync(key));

        using var redirect = await GetAsync("/orleans", cookie);
        using var page = await GetAsync("/orleans/", cookie);
        using var api = await GetAsync("/orleans/ClusterStats", cookie);

        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal("/orleans/", redirect.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        Assert.Equal("application/json", api.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task SessionCookie_OnTheGranaryApi_NotAccepted()
    {
        var cookie = CookieValue(await SessionCookieAsync(AdminKeySiloFixture.Key));

        using var overview = await GetAsync("/api/overview", cookie);
        using var clients = await GetAsync("/clients", cookie);

        Assert.Equal(HttpStatusCode.Unauthorized, overview.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, clients.StatusCode);
    }

    [Theory]
    [InlineData("v1.9999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not-a-cookie")]
    [InlineData("")]
    public async Task Orleans_ForgedCookie_401(string cookie)
    {
        using var response = await GetAsync("/orleans/", cookie);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Orleans_TamperedExpiry_401()
    {
        var parts = CookieValue(await SessionCookieAsync(AdminKeySiloFixture.Key)).Split('.');
        var tampered = $"{parts[0]}.{long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) + 3600}.{parts[2]}";

        using var response = await GetAsync("/orleans/", tampered);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("admin", AdminKeySiloFixture.Key, HttpStatusCode.OK)]
    [InlineData("", AdminKeySiloFixture.SecondKey, HttpStatusCode.OK)]
    [InlineData("admin", "wrong-key-0123456789", HttpStatusCode.Unauthorized)]
    public async Task Orleans_BasicCredentials_KeyAsPassword(string user, string password, HttpStatusCode expected)
    {
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

        using var response = await GetAsync("/orleans/", authorization: basic);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Orleans_BearerKey_Answers()
    {
        using var response = await GetAsync("/orleans/ClusterStats", authorization: new AuthenticationHeaderValue("Bearer", AdminKeySiloFixture.Key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Session_Delete_ExpiresTheCookie()
    {
        using var http = NewClient();
        using var request = new HttpRequestMessage(HttpMethod.Delete, AdminSessionEndpoints.Path);
        request.Headers.Add("X-Admin-Key", AdminKeySiloFixture.Key);
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var header = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(AdminSessionCookie.Name + "=;", header, StringComparison.Ordinal);
        Assert.Contains("expires=Thu, 01 Jan 1970", header, StringComparison.OrdinalIgnoreCase);
    }
}
