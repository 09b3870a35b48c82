using Granary.Samples.DemoClient;
using Spectre.Console;

namespace Granary.Samples.Tests;

public sealed class ReportPrinterTests
{
    [Fact]
    public void PrintHeader_TwoGatewaysWidth80_BreaksBetweenPhrasesOnly()
    {
        var options = new DemoClientOptions(); // 1024x768, tile 64, iter 2000, concurrency 16, client demo, gateways 8080 and 8081

        var text = PrintHeader(options, 192, width: 80);

        Assert.Equal(
            "Rendering 1024x768 in 192 tiles of 64 px, iter 2000, concurrency 16,\n" +
            "  as client demo, via http://127.0.0.1:8080, http://127.0.0.1:8081\n",
            text);
    }

    [Fact]
    public void PrintHeader_WideConsole_OneLine()
    {
        var text = PrintHeader(new DemoClientOptions(), 192, width: 200);

        Assert.Equal(
            "Rendering 1024x768 in 192 tiles of 64 px, iter 2000, concurrency 16, as client demo, " +
            "via http://127.0.0.1:8080, http://127.0.0.1:8081\n",
            text);
    }

    [Theory]
    [InlineData(40)]
    [InlineData(60)]
    [InlineData(80)]
    [InlineData(120)]
    public void PrintHeader_ManyGateways_ViaKeepsItsUrlAndNoUrlIsSplit(int width)
    {
        var gateways = Enumerable.Range(0, 9).Select(i => $"http://127.0.0.1:{8080 + i}").ToList();
        var options = new DemoClientOptions { Gateways = [.. gateways.Select(g => new Uri(g + "/"))], ClientId = "[team]" };

        var lines = PrintHeader(options, 192, width).TrimEnd('\n').Split('\n');

        Assert.All(lines, line => Assert.True(line.Length <= width, $"'{line}' is wider than {width}"));
        Assert.All(lines, line => Assert.False(line.TrimEnd().EndsWith("via", StringComparison.Ordinal), $"'{line}' ends with via"));
        Assert.Contains(lines, line => line.Contains("via http://127.0.0.1:8080,", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("as client [team],", StringComparison.Ordinal));
        Assert.All(gateways, g => Assert.Single(lines, line => line.Contains(g, StringComparison.Ordinal)));
        Assert.All(lines.Skip(1), line => Assert.StartsWith("  ", line, StringComparison.Ordinal));
    }

    [Fact]
    public void PrintHeader_UrlWiderThanConsole_WritesViaAndUrlOnOneLine()
    {
        const string longGateway = "http://a-gateway-with-a-very-long-host-name.cluster.internal:8080";
        var options = new DemoClientOptions { Gateways = [new Uri(longGateway + "/")] };

        var lines = PrintHeader(options, 1, width: 40).TrimEnd('\n').Split('\n');

        Assert.Contains("  via " + longGateway, lines);
    }

    [Fact]
    public void WrapPhrases_MarkupDoesNotCountTowardsWidth()
    {
        var lines = ReportPrinter.WrapPhrases(["[bold]abc[/]", "def", "ghi"], 7, "> ");

        Assert.Equal(["[bold]abc[/] def", "> ghi"], lines);
    }

    private static string PrintHeader(DemoClientOptions options, int tiles, int width)
    {
        var output = new StringWriter { NewLine = "\n" };
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = width;
        ReportPrinter.PrintHeader(console, options, tiles);
        return output.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }
}
