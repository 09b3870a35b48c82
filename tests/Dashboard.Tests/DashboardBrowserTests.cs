using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Granary.Dashboard.Tests.Browser;
using Granary.EndToEnd.Tests.Infrastructure;

namespace Granary.Dashboard.Tests;

/// <summary>
/// The dashboard in a real browser (Debian's headless Chromium through Playwright) against a real
/// cluster: two silos on PostgreSQL (so the page shows cluster-wide numbers gathered by fan-out),
/// two gateways, three demo backends. Traffic flows through both gateways while the page is open.
/// </summary>
public sealed partial class DashboardBrowserTests(ITestOutputHelper output)
{
    internal const string AdminKey = "test-key";
    private const string Cluster = "backends";
    private static readonly string[] Destinations = ["b1", "b2", "b3"];

    /// <summary>Screenshots land beside the process logs: artifacts/test-logs/dashboard-*.png.</summary>
    internal static string ScreenshotPath(string name) =>
        Path.Combine(Path.GetDirectoryName(RepoLayout.TestLogDirectory)!, $"dashboard-{name}.png");

    [Fact]
    public async Task Dashboard_TrafficThenClientEdit_NumbersChangeAndGatewaysEnforceTheEdit()
    {
        var total = Stopwatch.StartNew();
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec
        {
            PostgresSilos = 2,
            Gateways = 2,
            ExtraSiloArgs = [$"--Granary:Silo:AdminKey={AdminKey}"],
        });
        output.WriteLine($"cluster up in {total.ElapsedMilliseconds} ms: {cluster.Silos.Count} silos on PostgreSQL, {cluster.Gateways.Count} gateways, {cluster.Backends.Count} backends");
        using var admin = new HttpClient { BaseAddress = new Uri(cluster.SiloUrl), Timeout = TimeSpan.FromSeconds(10) };
        admin.DefaultRequestHeaders.Add("X-Admin-Key", AdminKey);
        using (var created = await admin.PostAsJsonAsync("/clients", new { client_id = "browser", capacity = 1000, rate_per_sec = 1000 }))
            Assert.True(created.IsSuccessStatusCode, $"POST /clients: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");

        await using var chromium = await HeadlessChromium.LaunchAsync();
        var dashboard = new DashboardPage(await chromium.NewPageAsync(1280, 900), cluster.SiloUrl);
        var (wallMs, navMs) = await dashboard.OpenAsync(AdminKey);
        output.WriteLine($"page load (GotoAsync → admin key entered → #status live): {wallMs:0} ms wall, {navMs:0} ms navigation start → live");
        Assert.True(dashboard.KeyPrompted, "the silo has an admin key, so the page must ask for it before showing data");

        // Silos: every silo of the cluster, whichever one serves the page; gateways: both, from their heartbeats.
        await UntilAsync(async () => await dashboard.SiloRows.CountAsync() == cluster.Silos.Count,
            async () => $"#silos rows = {cluster.Silos.Count}; shown {await dashboard.SiloRows.CountAsync()}", cluster);
        await UntilAsync(async () => await dashboard.GatewayRows.CountAsync() == 2,
            async () => $"#gateways rows = 2; shown {await dashboard.GatewayRows.CountAsync()}", cluster);
        foreach (var d in Destinations)
            await UntilAsync(async () => await dashboard.Backend(Cluster, d).CountAsync() == 1, () => Task.FromResult($"backend card {Cluster}/{d}"), cluster);

        var before = await RequestsAsync(dashboard);
        output.WriteLine($"requests shown before traffic: {Show(before)}");

        // Traffic through both gateways as client "browser", in the background, bounded in count and time.
        using var stopLoad = new CancellationTokenSource();
        using var loadHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var gatewayUrls = cluster.Gateways.Select(g => g.Url).ToList();
        var load = Task.Run(() => LoadRunner.RunAsync(loadHttp, gatewayUrls, workers: 4, maxRequests: 50_000, maxDuration: TimeSpan.FromSeconds(25),
            clientId: "browser", stop: stopLoad.Token));

        // The page's numbers move while traffic flows: read them until they grow, twice over.
        var first = await UntilIncreasedAsync(dashboard, before, cluster, "requests to grow once traffic flows");
        output.WriteLine($"requests shown with traffic:   {Show(first)}");
        var second = await UntilIncreasedAsync(dashboard, first, cluster, "requests to keep growing");
        output.WriteLine($"requests shown a moment later: {Show(second)}");
        await UntilAsync(async () => (await DashboardPage.NumberAsync(dashboard.GatewayRows.First, "rps") ?? 0) > 0,
            () => Task.FromResult("a gateway's requests/s above 0"), cluster);
        var rpsShown = await Task.WhenAll(Destinations.Select(d => DashboardPage.NumberAsync(dashboard.Backend(Cluster, d), "rps")));
        var inFlightShown = await Task.WhenAll(Destinations.Select(d => DashboardPage.NumberAsync(dashboard.Backend(Cluster, d), "in-flight")));
        var healthShown = await Task.WhenAll(Destinations.Select(async d => (await dashboard.Backend(Cluster, d).Locator("[data-field=\"health\"]").First.TextContentAsync() ?? "").Trim()));
        output.WriteLine($"backends rps {string.Join(", ", rpsShown)}; in flight {string.Join(", ", inFlightShown)}; health {string.Join(", ", healthShown)}");
        Assert.All(healthShown, h => Assert.False(string.IsNullOrEmpty(h), "every backend card shows a health"));

        await dashboard.ScreenshotAsync(ScreenshotPath("desktop"));
        await dashboard.ScreenshotAsync(ScreenshotPath("desktop-full"), fullPage: true);

        stopLoad.Cancel();
        var traffic = await load;
        output.WriteLine($"traffic: {traffic}");
        Assert.True(traffic.Count(200) > 0, $"no request got through: {traffic}");
        Assert.Equal(0, traffic.ServerErrors);

        // The client's live counters, then an edit from the page (behind the admin key).
        await dashboard.SearchClientsAsync("browser");
        var row = dashboard.Client("browser");
        await UntilAsync(async () => (await DashboardPage.NumberAsync(row, "admitted") ?? 0) > 0,
            async () => $"client browser's admitted count above 0; row shows: {await row.InnerTextAsync()}", cluster);
        output.WriteLine($"client row before the edit: {Squash(await row.InnerTextAsync())}");
        var prompted = await dashboard.EditClientAsync("browser", capacity: 3, ratePerSec: 0.01, adminKey: AdminKey);
        output.WriteLine($"edited on the page (admin key prompt shown again: {prompted})");
        Assert.False(prompted, "the key entered when the page opened is kept in the tab and used for the edit");
        await UntilAsync(async () => await DashboardPage.NumberAsync(row, "capacity") == 3,
            async () => $"client row to show capacity 3; it shows: {await row.InnerTextAsync()}", cluster);

        // Grain lookup on the page: the client grain (wherever it lives) holds the new limits.
        var lookup = await dashboard.LookupAsync("client", "browser", CapacityThree());
        output.WriteLine($"lookup client/browser: {Squash(lookup)}");
        Assert.Matches(@"""rate_per_sec""\s*:\s*0\.01\b", lookup);

        // The gateways enforce what was set on the page: a bucket of 3 tokens refilled at 0.01/s.
        var statuses = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, gatewayUrls[i % gatewayUrls.Count] + "/");
            request.Headers.Add("X-Client-ID", "browser");
            using var response = await loadHttp.SendAsync(request);
            statuses.Add((int)response.StatusCode);
        }
        output.WriteLine($"20 requests after the edit: {string.Join(" ", statuses)}");
        Assert.Equal(3, statuses.Count(s => s == (int)HttpStatusCode.OK));
        Assert.Equal(17, statuses.Count(s => s == (int)HttpStatusCode.TooManyRequests));
        await UntilAsync(async () => (await DashboardPage.NumberAsync(row, "rejected") ?? 0) >= 17,
            async () => $"client browser's rejected count ≥ 17; row shows: {await row.InnerTextAsync()}", cluster);

        await dashboard.ScreenshotAsync(ScreenshotPath("desktop-edited"), fullPage: true);
        var phone = new DashboardPage(await chromium.NewPageAsync(390, 844), cluster.SiloUrl);
        await phone.OpenAsync(AdminKey);
        await UntilAsync(async () => await phone.Backend(Cluster, "b1").CountAsync() == 1, () => Task.FromResult("backend cards on the phone page"), cluster);
        await phone.ScreenshotAsync(ScreenshotPath("phone"));
        var overflow = await phone.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        output.WriteLine($"phone page horizontal overflow: {overflow} px");
        Assert.True(overflow <= 1, $"the page is {overflow} px wider than a 390 px phone screen");
        output.WriteLine($"screenshots: {string.Join(", ", new[] { "desktop", "desktop-full", "desktop-edited", "phone" }.Select(ScreenshotPath))}");
        output.WriteLine($"test took {total.ElapsedMilliseconds} ms");
    }

    [GeneratedRegex(@"""capacity""\s*:\s*3\b")]
    private static partial Regex CapacityThree();

    private static async Task<double[]> RequestsAsync(DashboardPage page) =>
        await Task.WhenAll(Destinations.Select(async d => await DashboardPage.NumberAsync(page.Backend(Cluster, d), "requests") ?? 0));

    private async Task<double[]> UntilIncreasedAsync(DashboardPage page, double[] previous, LocalCluster cluster, string what)
    {
        double[] now = previous;
        await UntilAsync(async () =>
        {
            now = await RequestsAsync(page);
            return now.Sum() > previous.Sum() && now.Zip(previous).Any(p => p.First > p.Second);
        }, () => Task.FromResult($"{what}: before {Show(previous)}, now {Show(now)}"), cluster);
        return now;
    }

    private static string Show(double[] requests) => string.Join(", ", Destinations.Zip(requests, (d, r) => $"{d}={r}"));

    private static string Squash(string text) => Regex.Replace(text, @"\s+", " ").Trim();

    /// <summary>Poll-with-deadline on what the page shows; the failure names what was awaited and the processes' last lines.</summary>
    internal static async Task UntilAsync(Func<Task<bool>> probe, Func<Task<string>> what, LocalCluster cluster, int timeoutMs = 15_000)
    {
        var sw = Stopwatch.StartNew();
        while (!await probe())
        {
            if (sw.ElapsedMilliseconds > timeoutMs)
                Assert.Fail($"Timed out after {timeoutMs} ms waiting for {await what()}.\n{cluster.Logs()}");
            await Task.Delay(100);
        }
    }
}
