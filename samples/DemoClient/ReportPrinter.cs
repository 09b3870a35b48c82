using System.Globalization;
using Spectre.Console;

namespace Granary.Samples.DemoClient;

/// <summary>Prints the opening line and the summary tables of a run with Spectre.Console.</summary>
public static class ReportPrinter
{
    /// <summary>
    /// Prints the line that opens a run (image size, tiles, iterations, concurrency, client id, gateways), wrapped to
    /// <c>console.Profile.Width</c> only between its phrases, continuation lines indented by two spaces: "via" stays
    /// with the first gateway and "as client" with the id, and no gateway URL is split. A single phrase wider than the
    /// console is written whole, without markup, for the terminal to wrap.
    /// </summary>
    public static void PrintHeader(IAnsiConsole console, DemoClientOptions options, int tiles)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(options);
        var gateways = options.Gateways.Select(g => Markup.Escape(g.GetLeftPart(UriPartial.Authority))).ToList();
        List<string> phrases =
        [
            $"Rendering [bold]{options.Width}x{options.Height}[/]",
            $"in [bold]{tiles}[/] tiles of {options.Tile} px,",
            $"iter {options.Iterations},",
            $"concurrency {options.Concurrency},",
            $"as client [bold]{Markup.Escape(options.ClientId)}[/],",
            .. gateways.Select((g, i) => (i == 0 ? "via " : "") + g + (i < gateways.Count - 1 ? "," : "")),
        ];
        var width = console.Profile.Width;
        foreach (var line in WrapPhrases(phrases, width, "  "))
        {
            if (Markup.Remove(line).Length <= width)
            {
                console.MarkupLine(line);
            }
            else
            {
                // Spectre would break inside the phrase (after "via", or inside the URL): leave it whole.
                console.Profile.Out.Writer.WriteLine(Markup.Remove(line));
            }
        }
    }

    /// <summary>Joins markup phrases with spaces into lines of at most <paramref name="width"/> visible characters,
    /// breaking only between phrases; lines after the first start with <paramref name="indent"/>. A phrase wider
    /// than <paramref name="width"/> gets a line of its own.</summary>
    public static IReadOnlyList<string> WrapPhrases(IEnumerable<string> phrases, int width, string indent)
    {
        ArgumentNullException.ThrowIfNull(phrases);
        ArgumentNullException.ThrowIfNull(indent);
        var lines = new List<string>();
        string? line = null;
        foreach (var phrase in phrases)
        {
            if (line is null)
            {
                line = phrase;
            }
            else if (Markup.Remove(line).Length + 1 + Markup.Remove(phrase).Length <= width)
            {
                line += " " + phrase;
            }
            else
            {
                lines.Add(line);
                line = indent + phrase;
            }
        }

        if (line is not null)
        {
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>Prints the tables of requests per backend and per gateway, the summary, and the first errors.</summary>
    public static void Print(IAnsiConsole console, DemoClientOptions options, RunStatistics stats, int tiles, TimeSpan elapsed, string outputPath)
    {
        var backends = new Table().Title("[bold]Requests per backend[/] (X-Backend-Id)").Border(TableBorder.Rounded);
        backends.AddColumns("backend", "requests", "share", "200", "429", "other", "p50 ms", "p99 ms");
        var withBackend = stats.Backends.Values.Sum(c => c.Total);
        foreach (var (name, c) in stats.Backends.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            backends.AddRow(
                Markup.Escape(name), N(c.Total), Pct(c.Total, withBackend), N(c.Ok), N(c.RateLimited), N(c.Failed),
                Ms(RunStatistics.Percentile(c.OkLatenciesMs, 50)), Ms(RunStatistics.Percentile(c.OkLatenciesMs, 99)));
        }

        var noBackend = stats.Requests - withBackend;
        if (noBackend > 0)
        {
            backends.AddRow("[grey](none: answered by the gateway)[/]", N(noBackend), Pct(noBackend, stats.Requests), "", "", "", "", "");
        }

        var gateways = new Table().Title("[bold]Requests per gateway[/]").Border(TableBorder.Rounded);
        gateways.AddColumns("gateway", "requests", "200", "429", "errors", "p50 ms", "p99 ms");
        foreach (var (name, c) in stats.Gateways.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            gateways.AddRow(
                Markup.Escape(name), N(c.Total), N(c.Ok), N(c.RateLimited), N(c.Failed),
                Ms(RunStatistics.Percentile(c.OkLatenciesMs, 50)), Ms(RunStatistics.Percentile(c.OkLatenciesMs, 99)));
        }

        var summary = new Table().Title("[bold]Summary[/]").Border(TableBorder.Rounded).HideHeaders();
        summary.AddColumns("metric", "value");
        var okTiles = tiles - stats.FailedTiles;
        summary.AddRow("tiles", $"{okTiles}/{tiles} ok ({options.Width}x{options.Height}, tile {options.Tile}, iter {options.Iterations})");
        summary.AddRow("requests", N(stats.Requests));
        summary.AddRow("429 (rate limited)", N(stats.RateLimited));
        summary.AddRow("failed tiles", stats.FailedTiles == 0 ? "0" : $"[red]{stats.FailedTiles}[/]");
        summary.AddRow("latency p50 / p90 / p99", string.Create(
            CultureInfo.InvariantCulture,
            $"{Ms(RunStatistics.Percentile(stats.LatenciesMs, 50))} / {Ms(RunStatistics.Percentile(stats.LatenciesMs, 90))} / {Ms(RunStatistics.Percentile(stats.LatenciesMs, 99))} ms"));
        summary.AddRow("total time", string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0.00} s"));
        summary.AddRow("requests/s", string.Create(CultureInfo.InvariantCulture, $"{stats.Requests / Math.Max(elapsed.TotalSeconds, 1e-9):0.0}"));
        summary.AddRow("client id", Markup.Escape(options.ClientId));
        summary.AddRow("image", Markup.Escape(outputPath));

        console.Write(backends);
        console.Write(gateways);
        console.Write(summary);

        if (stats.Errors.Count > 0)
        {
            console.MarkupLine($"[red]First errors ({stats.Errors.Count} recorded):[/]");
            foreach (var error in stats.Errors.Take(10))
            {
                console.MarkupLine("  " + Markup.Escape(error));
            }
        }
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Pct(int part, int whole) =>
        whole == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * part / whole:0.0}%");

    private static string Ms(double value) =>
        double.IsNaN(value) ? "-" : value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture);
}
