using System.Globalization;

namespace Granary.Hosting.Tests.Metrics;

/// <summary>A parsed Prometheus text 0.0.4 scrape: TYPE and HELP per metric, the value per series line.</summary>
internal sealed class Scrape
{
    private Scrape(string text)
    {
        Text = text;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
                continue;
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', 4);
                Types[parts[2]] = parts[3];
            }
            else if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', 4);
                Helps[parts[2]] = parts.Length > 3 ? parts[3] : "";
            }
            else if (!line.StartsWith('#'))
            {
                var close = line.LastIndexOf('}');
                var space = line.IndexOf(' ', close < 0 ? 0 : close);
                var series = line[..space];
                var value = line[(space + 1)..].Split(' ')[0];
                Samples[series] = value switch
                {
                    "+Inf" => double.PositiveInfinity,
                    "-Inf" => double.NegativeInfinity,
                    _ => double.Parse(value, CultureInfo.InvariantCulture),
                };
            }
        }
    }

    public string Text { get; }

    /// <summary>Metric name → <c>counter</c>, <c>gauge</c>, <c>histogram</c>, ….</summary>
    public Dictionary<string, string> Types { get; } = new(StringComparer.Ordinal);

    /// <summary>Metric name → HELP text.</summary>
    public Dictionary<string, string> Helps { get; } = new(StringComparer.Ordinal);

    /// <summary>Series as written (<c>name{a="b"}</c>, or <c>name{}</c> without labels) → value.</summary>
    public Dictionary<string, double> Samples { get; } = new(StringComparer.Ordinal);

    public static Scrape Parse(string text) => new(text);

    /// <summary>The value of a series; fails the test, listing the metric's series, when it is absent.</summary>
    public double Value(string series)
    {
        if (Samples.TryGetValue(series, out var value))
            return value;
        var name = series.Split('{')[0];
        var near = Samples.Keys.Where(k => k.StartsWith(name, StringComparison.Ordinal)).Take(30);
        Assert.Fail($"Series {series} is not in the scrape. Series of {name}:\n{string.Join('\n', near)}");
        return double.NaN;
    }

    /// <summary>True when any series of <paramref name="metric"/> (any suffix such as <c>_bucket</c>) is present.</summary>
    public bool HasSeriesOf(string metric) =>
        Samples.Keys.Any(k => k.StartsWith(metric + "{", StringComparison.Ordinal) || k == metric || k.StartsWith(metric + "_", StringComparison.Ordinal));
}
