using System.Globalization;
using System.Text;

namespace Granary.Bench.GrainCalls;

/// <summary>Renders the cells as a Markdown table (the console's last word) and as CSV (<c>bench/results/grain-calls-*.csv</c>).</summary>
internal static class ResultsTable
{
    public static string Markdown(IReadOnlyList<CellResult> cells)
    {
        var text = new StringBuilder();
        text.AppendLine("| Target | Callers | Calls/s | p50 (ms) | p99 (ms) | p99.9 (ms) | Client CPU µs/call | Silo CPU µs/call | Client B/call | Silo B/call | Errors | Load avg |");
        text.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var c in cells)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {c.Target.Description} | {c.Callers} | {c.CallsPerSecond:N0} | {c.P50Ms:0.000} | {c.P99Ms:0.000} | {c.P999Ms:0.000} | " +
                $"{c.ClientCpuMicrosPerCall:0.0} | {c.SiloCpuMicrosPerCall:0.0} | {c.ClientBytesPerCall:N0} | {c.SiloBytesPerCall:N0} | {c.Stats.Errors} | {c.LoadBefore:0.0}→{c.LoadAfter:0.0} |"));
        }
        return text.ToString();
    }

    public static void WriteCsv(string path, IReadOnlyList<CellResult> cells)
    {
        var text = new StringBuilder();
        text.AppendLine("target,method,callers,grains,seconds,calls,errors,calls_per_sec,p50_ms,p99_ms,p999_ms,max_ms," +
            "client_cpu_us_per_call,silo_cpu_us_per_call,client_bytes_per_call,silo_bytes_per_call," +
            "client_gc0,client_gc1,client_gc2,silo_gc0,silo_gc1,silo_gc2,load_before,load_after,first_error");
        foreach (var c in cells)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{c.Target.Name},{c.Target.Description},{c.Callers},{c.Grains},{c.Elapsed.TotalSeconds:0.000},{c.Calls},{c.Stats.Errors},{c.CallsPerSecond:0},{c.P50Ms:0.0000},{c.P99Ms:0.0000},{c.P999Ms:0.0000},{c.MaxMs:0.0000}," +
                $"{c.ClientCpuMicrosPerCall:0.000},{c.SiloCpuMicrosPerCall:0.000},{c.ClientBytesPerCall:0.0},{c.SiloBytesPerCall:0.0}," +
                $"{c.Client.Gen0},{c.Client.Gen1},{c.Client.Gen2},{c.Silo.Gen0},{c.Silo.Gen1},{c.Silo.Gen2},{c.LoadBefore:0.00},{c.LoadAfter:0.00},{Quote(c.Stats.FirstError)}"));
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text.ToString());
    }

    /// <summary>The repository's <c>bench/results</c> (found by walking up to <c>Orleans.sln</c>), else <c>./bench/results</c>.</summary>
    public static string DefaultDirectory()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
                    return Path.Combine(dir.FullName, "bench", "results");
            }
        }
        return Path.Combine(Directory.GetCurrentDirectory(), "bench", "results");
    }

    private static string Quote(string? text) => text is null ? "" : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal).ReplaceLineEndings(" ") + "\"";
}
