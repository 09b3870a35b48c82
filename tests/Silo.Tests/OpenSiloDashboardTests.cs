using System.Net;

namespace Granary.Silo.Tests;

/// <summary>With no admin key (loopback only) both dashboards are open and no session cookie is needed.</summary>
public sealed class OpenSiloDashboardTests(SiloFixture silo) : IClassFixture<SiloFixture>
{
    [Fact]
    public async Task Orleans_NoKeyConfigured_PageAndApiOpen()
    {
        using var page = await silo.Http.GetAsync("/orleans/");
        using var api = await silo.Http.GetAsync("/orleans/DashboardCounters");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
    }

    [Fact]
    public async Task Session_NoKeyConfigured_204WithoutCookie()
    {
        using var response = await silo.Http.PostAsync("/api/session", null);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Dashboard_Page_LinksToOrleans()
    {
        var html = await silo.Http.GetStringAsync("/dashboard/");

        Assert.Contains("id=\"orleans-link\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/orleans/\"", html, StringComparison.Ordinal);
    }
}
