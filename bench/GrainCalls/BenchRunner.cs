using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Granary.Bench.GrainCalls;

/// <summary>
/// The client role (the default): starts the silo child, connects an Orleans client to its gateway port
/// through a static gateway list, warms up, measures every target at every caller count (caller counts
/// outer, targets inner, so a drift of the machine's load hits the targets alike), prints a Markdown table
/// and writes the CSV. Ctrl+C ends the current cell at once and stops the silo.
/// </summary>
internal static class BenchRunner
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var targets = options.Targets.Select(CallTargets.Create).ToArray();
        var current = new LoopControl(0);
        var aborted = false;
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            aborted = true;
            Volatile.Read(ref current).Stop();
        };

        var cells = options.Callers.Length * targets.Length;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Granary grain calls on Orleans: client and silo in two processes on 127.0.0.1; {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, " +
            $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC; load average {CellResult.LoadAverage():0.00}."));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Plan: {options.WarmupSeconds:0.#} s warm-up, then {cells} cells × ({options.CellWarmupSeconds:0.#} s cell warm-up + {options.Seconds:0.#} s measured) ≈ " +
            $"{options.WarmupSeconds + cells * (options.CellWarmupSeconds + options.Seconds):0} s; {(options.Grains == 0 ? "one grain per caller" : $"{options.Grains} grains per target")}."));

        await using var silo = await SiloProcess.StartAsync(TimeSpan.FromSeconds(60));
        Console.WriteLine($"Silo child pid {silo.ProcessId}: silo port {silo.SiloPort}, gateway port {silo.GatewayPort}.");

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client => client
            .UseStaticClustering(new IPEndPoint(IPAddress.Loopback, silo.GatewayPort))
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = SiloRole.ClusterId;
                o.ServiceId = SiloRole.ClusterId;
            }));
        using var host = builder.Build();
        await host.StartAsync();
        var factory = host.Services.GetRequiredService<IGrainFactory>();
        var results = new List<CellResult>();
        try
        {
            if (options.WarmupSeconds > 0)
            {
                var warmCallers = Math.Min(64, options.Callers.Max());
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Warm-up: {options.WarmupSeconds:0.#} s, {warmCallers} callers, targets in turn."));
                foreach (var target in targets)
                {
                    current = LoopControl.For(options.WarmupSeconds / targets.Length);
                    var warm = await target.RunAsync(factory, warmCallers, GrainsFor(options, warmCallers), current);
                    ReportErrors(target.Name + " warm-up", warm);
                }
            }

            var index = 0;
            foreach (var callers in options.Callers)
            {
                foreach (var target in targets)
                {
                    if (aborted || silo.HasExited)
                        break;
                    index++;
                    var grains = GrainsFor(options, callers);
                    Console.Write(string.Create(CultureInfo.InvariantCulture, $"[{index}/{cells}] {target.Description}, {callers} callers: "));
                    current = LoopControl.For(options.CellWarmupSeconds);
                    await target.RunAsync(factory, callers, grains, current);
                    Console.Write(string.Create(CultureInfo.InvariantCulture, $"warmed {options.CellWarmupSeconds:0.#} s, measuring {options.Seconds:0.#} s ... "));
                    GC.Collect();
                    GC.WaitForPendingFinalizers();

                    var loadBefore = CellResult.LoadAverage();
                    var siloBefore = await silo.SampleAsync();
                    var clientBefore = ProcessSample.Now();
                    var start = Stopwatch.GetTimestamp();
                    current = LoopControl.For(options.Seconds);
                    var stats = await target.RunAsync(factory, callers, grains, current);
                    var elapsed = Stopwatch.GetElapsedTime(start);
                    var client = ProcessSample.Now() - clientBefore;
                    var siloDelta = await silo.SampleAsync() - siloBefore;
                    var cell = new CellResult(target, callers, grains, elapsed, stats, client, siloDelta, loadBefore, CellResult.LoadAverage());
                    results.Add(cell);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{cell.CallsPerSecond:N0} calls/s, p99 {cell.P99Ms:0.000} ms, CPU {cell.ClientCpuMicrosPerCall:0.0} + {cell.SiloCpuMicrosPerCall:0.0} µs/call, {cell.Stats.Errors} errors"));
                    ReportErrors(target.Name, stats);
                }
            }
        }
        finally
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await host.StopAsync(timeout.Token);
        }

        if (silo.HasExited)
            Console.Error.WriteLine("The silo child exited during the run; the table is incomplete.");
        if (results.Count == 0)
            return 1;
        var markdown = ResultsTable.Markdown(results);
        Console.WriteLine();
        Console.WriteLine(markdown);
        var path = Path.Combine(options.ResultsDirectory ?? ResultsTable.DefaultDirectory(),
            $"grain-calls-{DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH-mm-ss'Z'", CultureInfo.InvariantCulture)}.csv");
        ResultsTable.WriteCsv(path, results);
        Console.WriteLine($"CSV: {path}");
        return aborted || silo.HasExited ? 1 : 0;
    }

    private static int GrainsFor(BenchOptions options, int callers) => options.Grains == 0 ? callers : Math.Min(options.Grains, callers);

    private static void ReportErrors(string what, CellStats stats)
    {
        if (stats.Errors > 0)
            Console.Error.WriteLine($"  {what}: {stats.Errors} errors; first: {stats.FirstError}");
    }
}
