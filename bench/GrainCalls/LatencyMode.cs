using System.Diagnostics;
using System.Globalization;

namespace Granary.Bench.GrainCalls;

/// <summary>
/// The quick mode: for each caller count, warm up, then run the loops for a fixed time recording every
/// call's latency, and print calls/s, p50/p99/p99.9, allocated bytes per call and CPU time per call.
/// </summary>
internal static class LatencyMode
{
    public static async Task<int> RunAsync(int[] callerCounts, double seconds, double warmupSeconds)
    {
        await using var cluster = await EchoCluster.StartAsync();
        Console.WriteLine($"Granary grain calls: 1 silo + 1 client in one process, loopback TCP port {cluster.Port}, " +
            $"{Environment.ProcessorCount} cores, {seconds:0.#} s per row (after {warmupSeconds:0.#} s warm-up), one grain per caller.");
        Console.WriteLine("Bytes/call and CPU/call count client and silo together (same process, GC.GetTotalAllocatedBytes and process CPU time deltas).");
        Console.WriteLine();
        Console.WriteLine("| Callers |     Calls/s | p50 (µs) | p99 (µs) | p99.9 (µs) | Bytes/call | CPU µs/call |");
        Console.WriteLine("|--------:|------------:|---------:|---------:|-----------:|-----------:|------------:|");
        foreach (var callers in callerCounts)
        {
            var grains = cluster.Grains(callers);
            await RunTimedAsync(grains, warmupSeconds);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var row = await RunTimedAsync(grains, seconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {callers,7} | {row.CallsPerSecond,11:N0} | {row.Histogram.PercentileMicros(0.50),8:0.0} | {row.Histogram.PercentileMicros(0.99),8:0.0} | " +
                $"{row.Histogram.PercentileMicros(0.999),10:0.0} | {row.BytesPerCall,10:0.0} | {row.CpuMicrosPerCall,11:0.00} |"));
        }
        return 0;
    }

    private static async Task<Row> RunTimedAsync(IEchoGrain[] grains, double seconds)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
        var start = Stopwatch.GetTimestamp();
        var total = await CallLoops.RunTimedAsync(grains, start + (long)(seconds * Stopwatch.Frequency));
        var elapsed = Stopwatch.GetElapsedTime(start);
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - bytesBefore;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;

        var calls = Math.Max(1, total.Count);
        return new Row(total, total.Count / elapsed.TotalSeconds, (double)bytes / calls, cpu.TotalMicroseconds / calls);
    }

    private sealed record Row(LatencyHistogram Histogram, double CallsPerSecond, double BytesPerCall, double CpuMicrosPerCall);
}
