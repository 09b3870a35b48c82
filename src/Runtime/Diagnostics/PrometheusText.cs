using System.Globalization;
using System.Text;

namespace Granary.Runtime.Diagnostics;

/// <summary>
/// Helpers for the Prometheus text exposition format 0.0.4
/// (https://prometheus.io/docs/instrumenting/exposition_formats/): names, escaping, numbers.
/// </summary>
internal static class PrometheusText
{
    /// <summary>The content type of a scrape response.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Makes a metric name match <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>: every other character (dots, dashes) becomes '_'.</summary>
    public static string SanitizeMetricName(string name) => Sanitize(name, allowColon: true);

    /// <summary>Makes a label name match <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
    public static string SanitizeLabelName(string name) => Sanitize(name, allowColon: false);

    private static string Sanitize(string name, bool allowColon)
    {
        if (name.Length == 0)
            return "_";
        var needsPrefix = char.IsAsciiDigit(name[0]);
        var clean = !needsPrefix;
        foreach (var c in name)
        {
            if (!IsNameChar(c, allowColon))
            {
                clean = false;
                break;
            }
        }
        if (clean)
            return name;
        var sb = new StringBuilder(name.Length + 1);
        if (needsPrefix)
            sb.Append('_');
        foreach (var c in name)
            sb.Append(IsNameChar(c, allowColon) ? c : '_');
        return sb.ToString();
    }

    private static bool IsNameChar(char c, bool allowColon) => char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');

    /// <summary>
    /// The exported name of an instrument: sanitized name, then the unit suffix (<c>_ms</c>,
    /// <c>_seconds</c>, <c>_bytes</c>; none for <c>1</c> or <c>{annotation}</c> units), then
    /// <c>_total</c> for counters. A suffix the name already ends with is not repeated.
    /// </summary>
    public static string MetricName(string instrumentName, string? unit, bool isCounter)
    {
        var name = SanitizeMetricName(instrumentName);
        var unitSuffix = UnitSuffix(unit);
        if (unitSuffix.Length > 0 && !name.EndsWith("_" + unitSuffix, StringComparison.Ordinal))
            name = name + "_" + unitSuffix;
        if (isCounter && !name.EndsWith("_total", StringComparison.Ordinal))
            name += "_total";
        return name;
    }

    /// <summary>The name suffix for a UCUM unit as System.Diagnostics.Metrics instruments give it.</summary>
    public static string UnitSuffix(string? unit)
    {
        if (string.IsNullOrWhiteSpace(unit) || unit == "1" || (unit.StartsWith('{') && unit.EndsWith('}')))
            return "";
        return unit switch
        {
            "s" => "seconds",
            "ms" => "ms",
            "us" => "us",
            "By" => "bytes",
            "%" => "percent",
            _ => SanitizeLabelName(unit.Replace("/", "_per_", StringComparison.Ordinal)).Trim('_'),
        };
    }

    /// <summary>Appends a label value with <c>\</c>, <c>"</c> and line feeds escaped.</summary>
    public static void AppendLabelValue(StringBuilder sb, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': sb.Append(@"\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append(@"\n"); break;
                default: sb.Append(c); break;
            }
        }
    }

    /// <summary>Appends HELP text with <c>\</c> and line feeds escaped.</summary>
    public static void AppendHelp(StringBuilder sb, string text)
    {
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': sb.Append(@"\\"); break;
                case '\n': sb.Append(@"\n"); break;
                case '\r': break;
                default: sb.Append(c); break;
            }
        }
    }

    /// <summary>Formats a sample value: shortest round-trip form, <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c>.</summary>
    public static string FormatDouble(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Converts a tag value to label text (invariant culture; null as empty).</summary>
    public static string LabelText(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
