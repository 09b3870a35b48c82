using Granary.Dashboard.Tests.Browser;
using Granary.EndToEnd.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Granary.Dashboard.Tests;

/// <summary>
/// Orleans's dashboard (<c>/orleans</c>) in a real browser against one silo process: behind the admin key,
/// which its page cannot send as a header. The key entered at the <c>/dashboard</c> prompt sets an
/// HttpOnly session cookie (not the key) that lets the Orleans page and its API calls through; without
/// it the silo answers 401 (with a Basic challenge, so a person's browser asks for the key; headless
/// Chromium under Playwright cancels that prompt, so refusals are read through the context's request API,
/// which shares the page's cookies); with no key configured (loopback only) it is open.
/// </summary>
public sealed class OrleansDashboardBrowserTests(ITestOutputHelper output)
{
    private const string Key = "orleans-browser-key-0123456789";

    private static Task<LocalCluster> StartSiloAsync(params string[] args) =>
        LocalCluster.StartAsync(new ClusterSpec { Gateways = 0, BackendLatencyMs = [], ExtraSiloArgs = args });

    /// <summary>The status of <c>GET /orleans/</c> sent with the cookies of <paramref name="page"/>'s context.</summary>
    private static async Task<int> OrleansStatusAsync(IPage page, string siloUrl) =>
        (await page.APIRequest.GetAsync(siloUrl + "/orleans/")).Status;

    /// <summary>Navigates to Orleans's dashboard and waits until its page has fetched its counters (the API behind the same key).</summary>
    private static async Task<IResponse> OpenOrleansAsync(IPage page, string siloUrl)
    {
        var counters = page.WaitForResponseAsync(r => r.Url.Contains("/orleans/DashboardCounters", StringComparison.Ordinal), new() { Timeout = 15_000 });
        var response = await page.GotoAsync(siloUrl + "/orleans/", new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        Assert.NotNull(response);
        Assert.Equal(200, response!.Status);
        return await counters;
    }

    [Fact]
    public async Task KeyPromptOnDashboard_SetsCookie_ThenOrleansLoads()
    {
        await using var cluster = await StartSiloAsync($"--Granary:Silo:AdminKey={Key}");
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var dashboard = new DashboardPage(await chromium.NewPageAsync(), cluster.SiloUrl);
        var page = dashboard.Page;

        await dashboard.OpenAsync(Key);
        Assert.True(dashboard.KeyPrompted, "the silo has an admin key, so the page asks for it");
        await page.Locator("#orleans-link[data-session=\"set\"]").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 10_000 });

        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "granary_admin");
        output.WriteLine($"session cookie: path {cookie.Path}, HttpOnly {cookie.HttpOnly}, SameSite {cookie.SameSite}, session {cookie.Expires < 0}");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/", cookie.Path);
        Assert.DoesNotContain(Key, cookie.Value, StringComparison.Ordinal);
        Assert.Null(await page.EvaluateAsync<string?>("() => document.cookie || null"));

        // Follow the page's own link to Orleans's dashboard.
        var counters = page.WaitForResponseAsync(r => r.Url.Contains("/orleans/DashboardCounters", StringComparison.Ordinal), new() { Timeout = 15_000 });
        await page.Locator("#orleans-link").ClickAsync();
        Assert.Equal(200, (await counters).Status);
        Assert.EndsWith("/orleans/", page.Url, StringComparison.Ordinal);
        Assert.Equal("Orleans Dashboard", await page.TitleAsync());
        await page.ScreenshotAsync(new() { Path = DashboardBrowserTests.ScreenshotPath("orleans") });

        // And back: Orleans's page carries the silo's link to Granary's dashboard.
        await page.Locator("#granary-dashboard-link").ClickAsync();
        await page.WaitForURLAsync(url => url.EndsWith("/dashboard/", StringComparison.Ordinal), new() { Timeout = 10_000 });
        await page.Locator("#orleans-link").WaitForAsync(new() { Timeout = 10_000 });
    }

    [Fact]
    public async Task Orleans_WithoutCookieOrKey_Refused401()
    {
        await using var cluster = await StartSiloAsync($"--Granary:Silo:AdminKey={Key}");
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.NewPageAsync();

        // Navigating: the 401's Basic challenge is an auth prompt, which headless Chromium cancels.
        var navigation = await Assert.ThrowsAsync<PlaywrightException>(() => page.GotoAsync(cluster.SiloUrl + "/orleans/"));
        var html = await page.APIRequest.GetAsync(cluster.SiloUrl + "/orleans/");
        var api = await page.APIRequest.GetAsync(cluster.SiloUrl + "/orleans/DashboardCounters");

        output.WriteLine($"navigation without the cookie: {navigation.Message.Split('\n')[0]}");
        Assert.Contains("ERR_INVALID_AUTH_CREDENTIALS", navigation.Message, StringComparison.Ordinal);
        Assert.Equal(401, html.Status);
        Assert.Contains("Basic", html.Headers.GetValueOrDefault("www-authenticate") ?? "", StringComparison.Ordinal);
        Assert.Equal(401, api.Status);
        Assert.Contains("\"code\":401", await api.TextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongKeyAtThePrompt_NoCookie_OrleansStillRefused()
    {
        await using var cluster = await StartSiloAsync($"--Granary:Silo:AdminKey={Key}");
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var dashboard = new DashboardPage(await chromium.NewPageAsync(), cluster.SiloUrl);
        var page = dashboard.Page;

        await page.GotoAsync(dashboard.Url);
        await page.Locator("#key-prompt").WaitForAsync(new() { Timeout = 10_000 });
        await page.Locator("#admin-key").FillAsync("not-the-key");
        await page.Locator("button[data-action=\"save-key\"]").ClickAsync();
        await page.WaitForFunctionAsync("() => /rejected/.test(document.querySelector('#key-message').textContent)", null, new() { Timeout = 10_000, PollingInterval = 20 });

        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "granary_admin");
        Assert.Equal(401, await OrleansStatusAsync(page, cluster.SiloUrl));
    }

    [Fact]
    public async Task ForgetKey_ClearsCookie_OrleansRefusedAgain()
    {
        await using var cluster = await StartSiloAsync($"--Granary:Silo:AdminKey={Key}", "--Granary:Silo:PublicReads=true");
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var dashboard = new DashboardPage(await chromium.NewPageAsync(), cluster.SiloUrl);
        var page = dashboard.Page;
        await dashboard.OpenAsync();
        // Public reads: no prompt; the key is entered for the session, then forgotten.
        await page.EvaluateAsync("() => document.querySelector('#key-prompt').hidden = false");
        await page.Locator("#admin-key").FillAsync(Key);
        await page.Locator("button[data-action=\"save-key\"]").ClickAsync();
        await page.Locator("#orleans-link[data-session=\"set\"]").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 10_000 });
        Assert.Contains(await page.Context.CookiesAsync(), c => c.Name == "granary_admin");
        Assert.Equal(200, await OrleansStatusAsync(page, cluster.SiloUrl));

        await page.Locator("#forget-key").ClickAsync();
        await page.Locator("#orleans-link:not([data-session])").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 10_000 });

        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "granary_admin");
        Assert.Equal(401, await OrleansStatusAsync(page, cluster.SiloUrl));
    }

    [Fact]
    public async Task NoAdminKeyConfigured_BothDashboardsOpen()
    {
        await using var cluster = await StartSiloAsync();
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var dashboard = new DashboardPage(await chromium.NewPageAsync(), cluster.SiloUrl);

        await dashboard.OpenAsync(adminKey: null);
        var counters = await OpenOrleansAsync(dashboard.Page, cluster.SiloUrl);

        Assert.False(dashboard.KeyPrompted);
        Assert.Equal(200, counters.Status);
        Assert.DoesNotContain(await dashboard.Page.Context.CookiesAsync(), c => c.Name == "granary_admin");
    }
}
