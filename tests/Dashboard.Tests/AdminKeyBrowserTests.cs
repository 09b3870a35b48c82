using System.Net.Http.Json;
using Granary.Dashboard.Tests.Browser;
using Granary.EndToEnd.Tests.Infrastructure;

namespace Granary.Dashboard.Tests;

/// <summary>
/// The dashboard's admin-key prompt in a real browser against one silo (in memory, no gateways or
/// backends): a wrong key is refused with a clear message and the page stays locked until the right
/// one; with public reads the page shows data at once and asks for the key only when an edit needs it.
/// </summary>
public sealed class AdminKeyBrowserTests(ITestOutputHelper output)
{
    private const string Key = "browser-admin-key-0123456789";

    private static Task<LocalCluster> StartSiloAsync(params string[] args) =>
        LocalCluster.StartAsync(new ClusterSpec { Gateways = 0, BackendLatencyMs = [], ExtraSiloArgs = [$"--Granary:Silo:AdminKey={Key}", .. args] });

    [Fact]
    public async Task Open_WrongKeyThenRightKey_RejectedWithMessageThenLive()
    {
        await using var cluster = await StartSiloAsync();
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var dashboard = new DashboardPage(await chromium.NewPageAsync(), cluster.SiloUrl);
        var page = dashboard.Page;

        await page.GotoAsync(dashboard.Url);
        await page.Locator("#key-prompt").WaitForAsync(new() { Timeout = 10_000 });
        Assert.Equal("admin key required", await dashboard.StatusAsync());
        Assert.True(await page.Locator("#silos tbody tr[data-silo]").CountAsync() == 0, "no data is shown without the key");
        Assert.False(await page.Locator("button[data-action=\"cancel-key\"]").IsVisibleAsync(), "no Cancel: the page has nothing to show without the key");

        await page.Locator("#admin-key").FillAsync("not-the-key");
        await page.Locator("button[data-action=\"save-key\"]").ClickAsync();
        await page.WaitForFunctionAsync("() => /rejected/.test(document.querySelector('#key-message').textContent)", null, new() { Timeout = 10_000, PollingInterval = 20 });
        var message = await page.Locator("#key-message").TextContentAsync();
        output.WriteLine($"after a wrong key: status '{await dashboard.StatusAsync()}', message '{message}'");
        Assert.True(await page.Locator("#key-prompt").IsVisibleAsync());
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('granary.adminKey')"));

        await page.Locator("#admin-key").FillAsync(Key);
        await page.Locator("button[data-action=\"save-key\"]").ClickAsync();
        await dashboard.WaitLiveAsync(10_000);

        Assert.False(await page.Locator("#key-prompt").IsVisibleAsync());
        Assert.Equal(Key, await page.EvaluateAsync<string?>("() => sessionStorage.getItem('granary.adminKey')"));
        await DashboardBrowserTests.UntilAsync(async () => await dashboard.SiloRows.CountAsync() == 1, () => Task.FromResult("the silo's row"), cluster);
    }

    [Fact]
    public async Task Edit_PublicReads_PageLiveWithoutKeyAndSaveAsksForIt()
    {
        await using var cluster = await StartSiloAsync("--Granary:Silo:PublicReads=true");
        using (var admin = new HttpClient { BaseAddress = new Uri(cluster.SiloUrl) })
        {
            admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Key);
            using var created = await admin.PostAsJsonAsync("/clients", new { client_id = "pr-client", capacity = 10, rate_per_sec = 1 });
            Assert.True(created.IsSuccessStatusCode, $"POST /clients: {(int)created.StatusCode}");
        }
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var dashboard = new DashboardPage(await chromium.NewPageAsync(), cluster.SiloUrl);

        await dashboard.OpenAsync(adminKey: null);
        await dashboard.SearchClientsAsync("pr-client");
        var prompted = await dashboard.EditClientAsync("pr-client", capacity: 4, ratePerSec: 2, adminKey: Key);

        Assert.False(dashboard.KeyPrompted, "public reads: the page shows data without a key");
        Assert.True(prompted, "the edit is a write, so the page must ask for the key");
        await DashboardBrowserTests.UntilAsync(async () => await DashboardPage.NumberAsync(dashboard.Client("pr-client"), "capacity") == 4,
            () => Task.FromResult("capacity 4 on the page"), cluster);
    }
}
