using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Granary.Dashboard.Tests.Browser;

/// <summary>
/// The dashboard as a test sees it, through the page's stable hooks only (ids, <c>data-*</c> attributes,
/// input names), never through layout or wording. Numbers are read from <c>data-value</c> (the raw
/// figure the page keeps beside the formatted text), falling back to parsing the text.
/// </summary>
internal sealed partial class DashboardPage(IPage page, string siloUrl)
{
    public IPage Page { get; } = page;

    public string Url { get; } = siloUrl + "/dashboard";

    /// <summary>Whether the last <see cref="OpenAsync"/> was asked for the admin key (the silo's reads are behind it).</summary>
    public bool KeyPrompted { get; private set; }

    /// <summary>
    /// Navigates and waits until <c>#status</c> reads "live"; when the page asks for the admin key first,
    /// enters <paramref name="adminKey"/> (<see cref="KeyPrompted"/> then true). Returns the wall time of
    /// both (ms) and the page's own navigation-start → live time (ms, including the key entry).
    /// </summary>
    public async Task<(double WallMs, double NavigationToLiveMs)> OpenAsync(string? adminKey = null, int timeoutMs = 20_000)
    {
        var sw = Stopwatch.StartNew();
        var response = await Page.GotoAsync(Url, new PageGotoOptions { WaitUntil = WaitUntilState.DOMContentLoaded, Timeout = timeoutMs });
        Assert.True(response is { Ok: true }, $"GET {Url} answered {response?.Status}");
        await Page.WaitForFunctionAsync(
            "() => document.querySelector('#status')?.textContent.trim() === 'live' || !document.querySelector('#key-prompt').hidden", null,
            new PageWaitForFunctionOptions { Timeout = timeoutMs, PollingInterval = 20 });
        KeyPrompted = await Page.Locator("#key-prompt").IsVisibleAsync();
        if (KeyPrompted)
        {
            Assert.False(adminKey is null, "The page asked for an admin key, but the test configured none.");
            Assert.Equal("admin key required", await StatusAsync());
            await Page.Locator("#admin-key").FillAsync(adminKey!);
            await Page.Locator("button[data-action=\"save-key\"]").ClickAsync();
        }
        await WaitLiveAsync(timeoutMs);
        var wall = sw.Elapsed.TotalMilliseconds;
        // performance.now() counts from the navigation's time origin: navigation start → now (status just became live).
        var navigationToLive = await Page.EvaluateAsync<double>("() => performance.now()");
        return (wall, navigationToLive);
    }

    public async Task WaitLiveAsync(int timeoutMs = 20_000)
    {
        await Page.WaitForFunctionAsync("() => document.querySelector('#status')?.textContent.trim() === 'live'", null,
            new PageWaitForFunctionOptions { Timeout = timeoutMs, PollingInterval = 20 });
    }

    public async Task<string> StatusAsync() => (await Page.Locator("#status").TextContentAsync() ?? "").Trim();

    public ILocator SiloRows => Page.Locator("#silos tbody tr[data-silo]");

    public ILocator GatewayRows => Page.Locator("#gateways tbody tr[data-gateway]");

    public ILocator Backend(string cluster, string destination) => Page.Locator($"#backends [data-backend=\"{cluster}/{destination}\"]");

    /// <summary>The rows of registered clients (the registry's page).</summary>
    public ILocator ClientRows => Page.Locator("#clients tbody tr[data-client][data-registered=\"true\"]");

    /// <summary>The row of <paramref name="id"/>, registered or at the default limits.</summary>
    public ILocator Client(string id) => Page.Locator($"#clients tbody tr[data-client=\"{id}\"]");

    /// <summary>The row of <paramref name="id"/> among the clients active at the default limits (not registered).</summary>
    public ILocator DefaultClient(string id) => Page.Locator($"#clients tbody tr[data-client=\"{id}\"][data-registered=\"false\"]");

    /// <summary>The row of <paramref name="id"/> among the registered clients.</summary>
    public ILocator RegisteredClient(string id) => Page.Locator($"#clients tbody tr[data-client=\"{id}\"][data-registered=\"true\"]");

    /// <summary>The number in <c>[data-field=field]</c> under <paramref name="scope"/>, or null when it shows none (a dash).</summary>
    public static async Task<double?> NumberAsync(ILocator scope, string field)
    {
        var node = scope.Locator($"[data-field=\"{field}\"]").First;
        if (await node.GetAttributeAsync("data-value") is { Length: > 0 } raw
            && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            return value;
        return ParseShown(await node.TextContentAsync());
    }

    /// <summary>Parses what the page shows: "1,234", "1 234", "12.5", "1.2k", "3.4M"; null for anything else.</summary>
    public static double? ParseShown(string? text)
    {
        var m = ShownNumber().Match((text ?? "").Replace(",", "").Replace("\u00a0", "").Replace("\u202f", "").Replace(" ", ""));
        if (!m.Success)
            return null;
        var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch
        {
            "k" or "K" => value * 1e3,
            "M" => value * 1e6,
            "G" or "B" => value * 1e9,
            _ => value,
        };
    }

    [GeneratedRegex(@"^(-?\d+(?:\.\d+)?)([kKMGB]?)")]
    private static partial Regex ShownNumber();

    /// <summary>Types a prefix into the client search and waits until every row shown matches it and at least <paramref name="atLeast"/> rows are shown.</summary>
    public async Task SearchClientsAsync(string prefix, int atLeast = 1)
    {
        await Page.Locator("#clients-search").FillAsync(prefix);
        await Page.WaitForFunctionAsync(
            @"([prefix, atLeast]) => {
                const rows = [...document.querySelectorAll('#clients tbody tr[data-client]')];
                return rows.length >= atLeast && rows.every(r => r.dataset.client.startsWith(prefix));
            }",
            new object[] { prefix, atLeast }, new PageWaitForFunctionOptions { Timeout = 10_000, PollingInterval = 50 });
    }

    /// <summary>
    /// Opens the editor of <paramref name="clientId"/>, sets both limits and saves; when the silo asks for
    /// the admin key, enters <paramref name="adminKey"/> (the page then saves again). Waits until the editor closes.
    /// Returns whether the key prompt appeared.
    /// </summary>
    public async Task<bool> EditClientAsync(string clientId, long capacity, double ratePerSec, string? adminKey)
    {
        var row = Client(clientId);
        await row.Locator("button[data-action=\"edit\"]").ClickAsync();
        var capacityInput = Page.Locator("input[name=\"capacity\"]");
        await capacityInput.FillAsync(capacity.ToString(CultureInfo.InvariantCulture));
        await Page.Locator("input[name=\"rate_per_sec\"]").FillAsync(ratePerSec.ToString(CultureInfo.InvariantCulture));
        await Page.Locator("button[data-action=\"save\"]").ClickAsync();

        // Either the save went through (the editor closes) or the page asks for the key.
        var keyInput = Page.Locator("#admin-key");
        var deadline = Stopwatch.StartNew();
        var prompted = false;
        while (await capacityInput.CountAsync() > 0)
        {
            if (!prompted && await keyInput.IsVisibleAsync())
            {
                Assert.False(adminKey is null, "The page asked for an admin key, but the test configured none.");
                prompted = true;
                await keyInput.FillAsync(adminKey!);
                await Page.Locator("button[data-action=\"save-key\"]").ClickAsync();
            }
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10),
                $"The client editor did not close within 10 s after Save (key prompt shown: {prompted}). Page says: " +
                await Page.Locator("#clients").InnerTextAsync());
            await Task.Delay(50);
        }
        return prompted;
    }

    /// <summary>Looks a grain up on the page and returns the text of <c>#lookup-result</c> once it mentions <paramref name="expect"/>.</summary>
    public async Task<string> LookupAsync(string type, string key, Regex expect)
    {
        await Page.Locator("#lookup-type").SelectOptionAsync(type);
        await Page.Locator("#lookup-key").FillAsync(key);
        await Page.Locator("button[data-action=\"lookup\"]").ClickAsync();
        var result = Page.Locator("#lookup-result");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var text = await result.InnerTextAsync();
            if (expect.IsMatch(text))
                return text;
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"#lookup-result never matched {expect}; it shows:\n{text}");
            await Task.Delay(50);
        }
    }

    public async Task<string> ScreenshotAsync(string path, bool fullPage = false)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        return path;
    }
}
