using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Granary.Bench.GrainCalls;

// Usage: dotnet run -c Release --project bench/GrainCalls [-- --latency [--seconds 5] [--warmup 1] [--callers 1,64,1024]]
//        dotnet run -c Release --project bench/GrainCalls -- --alloc [--callers 64] (bytes per call by type, sampled)
//        dotnet run -c Release --project bench/GrainCalls -- --bdn [BenchmarkDotNet arguments, e.g. --filter *]
if (args.Contains("--bdn"))
{
    // In-process toolchain: the silo runs in this process anyway, and BenchmarkDotNet's generated
    // projects would otherwise build under the repo's Directory.Build.props (warnings as errors).
    var config = DefaultConfig.Instance
        .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
        .AddColumn(StatisticColumn.P50, StatisticColumn.P95)
        .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "granary-bench-graincalls"));
    var rest = args.Where(a => a != "--bdn").ToArray();
    if (rest.Length == 0)
        rest = ["--filter", "*"];
    BenchmarkSwitcher.FromAssembly(typeof(GrainCallBenchmarks).Assembly).Run(rest, config);
    return 0;
}

var seconds = double.Parse(Option("--seconds", "5"), CultureInfo.InvariantCulture);
var warmup = double.Parse(Option("--warmup", "1"), CultureInfo.InvariantCulture);
var callers = Option("--callers", "1,64,1024").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
if (args.Contains("--alloc"))
    return await AllocationProfile.RunAsync(callers[^1], seconds, warmup);
return await LatencyMode.RunAsync(callers, seconds, warmup);

string Option(string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}
