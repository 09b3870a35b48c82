using System.Diagnostics.Metrics;
using System.Text;

namespace Granary.Hosting.Metrics;

/// <summary>
/// The Prometheus name and HELP text of an instrument, given to OpenTelemetry as the metric stream's
/// name and description (the exporter runs with suffixes off and writes the name as given; OpenTelemetry
/// takes only <c>[A-Za-z][-.\w/]*</c> as a stream name). The rules keep <c>promtool check metrics</c> silent:
/// <list type="bullet">
/// <item>every character but ASCII letters and digits becomes '_' (one '_' for a run);</item>
/// <item>a base unit becomes a suffix: <c>s</c> → <c>_seconds</c>, <c>By</c> → <c>_bytes</c>, <c>%</c> → <c>_percent</c>
/// (also when spelled out: <c>seconds</c>, <c>bytes</c>, <c>percent</c>), <c>X/s</c> → <c>_X_per_second</c>;
/// <c>1</c> and annotations (<c>{request}</c>) add nothing;</item>
/// <item>any other unit (<c>ms</c>, <c>us</c>, <c>MBy</c>, <c>min</c>, …) adds nothing to the name, because promtool
/// refuses both abbreviations (<c>_ms</c>) and scaled units (<c>_milliseconds</c>: "use base unit seconds");
/// the unit is named in HELP instead (<c>(unit: ms)</c>);</item>
/// <item>counters and observable counters end in <c>_total</c> (added unless already there);</item>
/// <item>HELP is the instrument's description, or its name when it has none (promtool wants HELP).</item>
/// </list>
/// </summary>
internal static class PrometheusNaming
{
    /// <summary>The Prometheus metric name of <paramref name="instrument"/>.</summary>
    public static string MetricName(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        return MetricName(instrument.Name, instrument.Unit, IsCounter(instrument));
    }

    /// <summary>The Prometheus metric name for an instrument name, UCUM unit and kind.</summary>
    public static string MetricName(string instrumentName, string? unit, bool isCounter)
    {
        var name = Sanitize(instrumentName);
        if (UnitSuffix(unit) is { Length: > 0 } suffix
            && !name.EndsWith("_" + suffix, StringComparison.Ordinal)
            && !(isCounter && name.EndsWith("_" + suffix + "_total", StringComparison.Ordinal)))
        {
            name += "_" + suffix;
        }
        if (isCounter && !name.EndsWith("_total", StringComparison.Ordinal))
            name += "_total";
        return name;
    }

    /// <summary>The HELP text: the description (or the name), plus <c>(unit: …)</c> when the unit is not in the name.</summary>
    public static string Help(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        var text = string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : instrument.Description.Trim();
        return UnitSuffix(instrument.Unit) is null ? $"{text} (unit: {instrument.Unit})" : text;
    }

    /// <summary>
    /// The name suffix for a UCUM unit: "" when the unit adds nothing (none, <c>1</c>, annotations only),
    /// the base-unit word, or null when the unit is not a base unit and must stay out of the name.
    /// </summary>
    public static string? UnitSuffix(string? unit)
    {
        if (string.IsNullOrWhiteSpace(unit))
            return "";
        var bare = RemoveAnnotations(unit).Trim();
        if (bare.Length == 0 || bare == "1")
            return "";
        var slash = bare.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
            return BaseUnit(bare);
        var per = bare[(slash + 1)..] switch
        {
            "s" => "second",
            _ => null,
        };
        var numerator = bare[..slash];
        var head = numerator.Length == 0 || numerator == "1" ? "" : BaseUnit(numerator);
        if (per is null || head is null)
            return null;
        return head.Length == 0 ? "per_" + per : head + "_per_" + per;
    }

    /// <summary>True for instruments exported as Prometheus counters (monotonic sums).</summary>
    public static bool IsCounter(Instrument instrument)
    {
        if (!instrument.GetType().IsGenericType)
            return false;
        var definition = instrument.GetType().GetGenericTypeDefinition();
        return definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>);
    }

    private static string? BaseUnit(string unit) => unit switch
    {
        "s" or "seconds" => "seconds",
        "By" or "bytes" => "bytes",
        "%" or "percent" => "percent",
        _ => null,
    };

    private static string RemoveAnnotations(string unit)
    {
        if (!unit.Contains('{', StringComparison.Ordinal))
            return unit;
        var sb = new StringBuilder(unit.Length);
        var depth = 0;
        foreach (var c in unit)
        {
            if (c == '{')
                depth++;
            else if (c == '}' && depth > 0)
                depth--;
            else if (depth == 0)
                sb.Append(c);
        }
        return sb.ToString();
    }

    private static string Sanitize(string name)
    {
        var sb = new StringBuilder(name.Length + 1);
        if (name.Length > 0 && char.IsAsciiDigit(name[0]))
            sb.Append('_');
        var lastUnderscore = false;
        foreach (var c in name)
        {
            var ok = char.IsAsciiLetterOrDigit(c);
            if (ok)
            {
                sb.Append(c);
                lastUnderscore = false;
            }
            else if (!lastUnderscore)
            {
                sb.Append('_');
                lastUnderscore = true;
            }
        }
        return sb.ToString();
    }
}
