using System.Net;
using System.Text.Json;
using Granary.Dashboard.Tests.Browser;
using Granary.EndToEnd.Tests.Infrastructure;

namespace Granary.Dashboard.Tests;

/// <summary>
/// The dashboard with a destination down and a client that is not registered (issue 11): one silo in
/// memory, one gateway, three demo backends of which one is stopped, in headless Chromium at three widths.
/// </summary>
public sealed class DownBackendAndDefaultClientBrowserTests(ITestOutputHelper output)
{
    private const string Cluster = "backends";
    private const string WalkIn = "walk-in";

    [Fact]
    public async Task Dashboard_BackendDownAndClientAtDefaultLimits_ShowsWhyItIsDownOnceOnOneLineAndEditRegistersTheClient()
    {
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec { Gateways = 1 });
        var (down, _, _) = cluster.Backends[2];
        await down.StopAsync(TimeSpan.FromSeconds(5)); // b3: its active check now fails (connection refused)

        // A client nobody registered sends requests through the gateway: its client grain holds a bucket at the default limits.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var gateway = cluster.Gateways[0].Url;
        for (var i = 0; i < 5; i++)
            await SendAsync(http, gateway);

        await using var chromium = await HeadlessChromium.LaunchAsync();
        var dashboard = new DashboardPage(await chromium.NewPageAsync(1280, 900), cluster.SiloUrl);
        await dashboard.OpenAsync();

        // The down destination says why it is down now: its failing active check, not its last change.
        var card = dashboard.Backend(Cluster, "b3");
        var note = card.Locator("[data-field=\"health-reason\"]");
        await DashboardBrowserTests.UntilAsync(async () => (await note.TextContentAsync() ?? "").StartsWith("active check failed:", StringComparison.Ordinal),
            async () => $"b3's reason line to say why it is down; it says '{await note.TextContentAsync()}' (badge '{await card.Locator("[data-field=\"health\"]").TextContentAsync()}')", cluster);
        var reason = (await note.TextContentAsync())!;
        output.WriteLine($"b3 reason line: {reason} (title: {await note.GetAttributeAsync("title")})");
        Assert.Matches(@"^active check failed: .+ \(\d+ in a row\)", reason);
        Assert.DoesNotContain("ended", reason, StringComparison.Ordinal);
        Assert.Contains("down", await note.GetAttributeAsync("class") ?? "", StringComparison.Ordinal);
        var healthyNote = await dashboard.Backend(Cluster, "b1").Locator("[data-field=\"health-reason\"]").TextContentAsync() ?? "";
        Assert.DoesNotContain("failed", healthyNote, StringComparison.Ordinal);

        // "N destinations · M healthy" once: in the section header, not again in the one cluster's head.
        var summaries = await dashboard.Page.EvaluateAsync<string[]>(
            @"() => [...document.querySelectorAll('section[aria-labelledby=""backends-title""] *')]
                .filter(n => n.children.length === 0 && n.checkVisibility() && /\d+ destinations/.test(n.textContent))
                .map(n => n.textContent)");
        output.WriteLine($"summary lines shown: {string.Join(" | ", summaries)}");
        Assert.Equal(["3 destinations · 2 healthy"], summaries);

        // The stat and the sparkline name their windows (5 s average, last 1 s sample).
        Assert.Equal("Req/s · 5 s", await card.Locator("dt").Nth(1).TextContentAsync());
        Assert.StartsWith("Req/s · 1 s", (await card.Locator(".spark.rps .spark-label").TextContentAsync() ?? "").Trim(), StringComparison.Ordinal);

        // Addresses stay on one line at a desktop, a tablet and a phone width.
        await AssertAddressesOnOneLineAsync(dashboard, "1280 px");
        await dashboard.ScreenshotAsync(DashboardBrowserTests.ScreenshotPath("down-desktop"));
        foreach (var (width, height) in new[] { (720, 900), (390, 844) })
        {
            await dashboard.Page.SetViewportSizeAsync(width, height);
            await AssertAddressesOnOneLineAsync(dashboard, $"{width} px");
        }
        await dashboard.ScreenshotAsync(DashboardBrowserTests.ScreenshotPath("down-phone"));
        var overflow = await dashboard.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 1, $"the page is {overflow} px wider than a 390 px phone screen");
        await dashboard.Page.SetViewportSizeAsync(1280, 900);

        // The client at the default limits: listed under its own heading with the badge, though not registered.
        await dashboard.SearchClientsAsync(WalkIn);
        await DashboardBrowserTests.UntilAsync(async () => (await dashboard.Page.Locator("#clients-total").TextContentAsync() ?? "").Contains("matching", StringComparison.Ordinal),
            async () => $"the search for {WalkIn} applied; #clients-total says '{await dashboard.Page.Locator("#clients-total").TextContentAsync()}'", cluster);
        var row = dashboard.DefaultClient(WalkIn);
        await DashboardBrowserTests.UntilAsync(async () => (await DashboardPage.NumberAsync(row, "admitted") ?? 0) >= 5,
            async () => $"{WalkIn}'s row at the default limits with 5 admitted; the table shows: {await dashboard.Page.Locator("#clients").InnerTextAsync()}", cluster);
        output.WriteLine($"default-limits row: {await row.InnerTextAsync()}");
        Assert.True(await row.Locator("[data-field=\"limits-source\"]").IsVisibleAsync(), "the 'default limits' badge is shown");
        Assert.Equal("default limits", (await row.Locator("[data-field=\"limits-source\"]").TextContentAsync())?.Trim());
        Assert.True(await dashboard.Page.Locator("#clients tr[data-group=\"active-default\"]").IsVisibleAsync(), "the sub-heading over the default-limits rows");
        Assert.Equal(0, await dashboard.ClientRows.CountAsync());
        await dashboard.ScreenshotAsync(DashboardBrowserTests.ScreenshotPath("default-client"), fullPage: true);
        await dashboard.Page.SetViewportSizeAsync(390, 844);
        await dashboard.Page.Locator("#clients").ScreenshotAsync(new() { Path = DashboardBrowserTests.ScreenshotPath("default-client-phone") });
        await dashboard.Page.SetViewportSizeAsync(1280, 900);

        // Its Edit registers it (POST /clients); the row becomes a registered one and the gateway enforces the limits.
        await dashboard.EditClientAsync(WalkIn, capacity: 3, ratePerSec: 0.01, adminKey: null);
        var registered = dashboard.RegisteredClient(WalkIn);
        await DashboardBrowserTests.UntilAsync(async () => await DashboardPage.NumberAsync(registered, "capacity") == 3 && await row.CountAsync() == 0,
            async () => $"{WalkIn} registered with capacity 3 and gone from the default-limits rows; the table shows: {await dashboard.Page.Locator("#clients").InnerTextAsync()}", cluster);
        using (var doc = JsonDocument.Parse(await http.GetStringAsync($"{cluster.SiloUrl}/clients/{WalkIn}")))
        {
            var client = doc.RootElement;
            Assert.Equal(("registry", 3L), (client.GetProperty("limits_source").GetString(), client.GetProperty("capacity").GetInt64()));
            Assert.Equal(JsonValueKind.String, client.GetProperty("created_at").ValueKind);
        }
        var statuses = new List<int>();
        for (var i = 0; i < 5; i++)
            statuses.Add(await SendAsync(http, gateway));
        output.WriteLine($"5 requests after registering: {string.Join(" ", statuses)}");
        Assert.True(statuses.Count(s => s == (int)HttpStatusCode.TooManyRequests) >= 2, $"a bucket of 3 admits at most 3 of 5: {string.Join(" ", statuses)}");
    }

    private static async Task<int> SendAsync(HttpClient http, string gateway)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, gateway + "/");
        request.Headers.Add("X-Client-ID", WalkIn);
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }

    /// <summary>Every destination card's address is one line high (no break inside the host or port).</summary>
    private async Task AssertAddressesOnOneLineAsync(DashboardPage dashboard, string viewport)
    {
        var found = await dashboard.Page.Locator("#backends [data-field=\"address\"]").EvaluateAllAsync<JsonElement>(
            "nodes => nodes.map(n => [n.textContent, n.getBoundingClientRect().height, parseFloat(getComputedStyle(n).lineHeight), n.scrollWidth - n.clientWidth])");
        var boxes = found.EnumerateArray().Select(b => new AddressBox(b[0].GetString()!, b[1].GetDouble(), b[2].GetDouble(), b[3].GetDouble())).ToArray();
        output.WriteLine($"addresses at {viewport}: {string.Join(", ", boxes.Select(b => $"{b.Text} {b.Height:0.#}/{b.LineHeight:0.#} px, {b.Hidden:0} px cut"))}");
        Assert.Equal(3, boxes.Length);
        Assert.All(boxes, b =>
        {
            Assert.StartsWith("http://127.0.0.1:", b.Text, StringComparison.Ordinal);
            Assert.True(b.Height < b.LineHeight * 1.5, $"at {viewport} the address {b.Text} is {b.Height} px high, more than one line of {b.LineHeight} px");
            Assert.True(b.Hidden <= 0, $"at {viewport} the address {b.Text} is cut by {b.Hidden} px: the badges should have moved under it");
        });
    }

    /// <summary>An address as laid out: its text, box height, line height and how much of it the ellipsis hides (px).</summary>
    private sealed record AddressBox(string Text, double Height, double LineHeight, double Hidden);
}
