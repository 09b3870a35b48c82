using Granary.Dashboard.Tests.Browser;

namespace Granary.Dashboard.Tests;

/// <summary>The browser tooling alone, so a broken install fails here with a plain message rather than inside a cluster test.</summary>
public sealed class PlaywrightDriverTests
{
    [Fact]
    public async Task Launch_SystemChromium_RendersAPage()
    {
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.NewPageAsync();
        await page.SetContentAsync("<p id='x'>granary</p><script>document.getElementById('x').textContent += ' ok'</script>");
        Assert.Equal("granary ok", await page.Locator("#x").TextContentAsync());
        Assert.Contains("Chrom", chromium.Browser.BrowserType.Name, StringComparison.OrdinalIgnoreCase);
    }
}
