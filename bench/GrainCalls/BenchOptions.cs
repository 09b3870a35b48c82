using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Granary.Bench.GrainCalls;

/// <summary>
/// Command-line options, parsed with System.CommandLine (<c>--help</c> lists them). Every value has a default so that a bare
/// <c>dotnet run -c Release --project bench/GrainCalls</c> measures the whole table and stops by itself.
/// </summary>
internal sealed record BenchOptions
{
    /// <summary>All targets, in table order.</summary>
    public static readonly string[] AllTargets = [CallTargets.Echo, CallTargets.ClientAcquire, CallTargets.BackendInFlight];

    /// <summary>Measured seconds per cell (target × callers); <c>--seconds</c>, default 5.</summary>
    public double Seconds { get; init; } = 5;

    /// <summary>Warm-up seconds before the first cell, shared by the targets; <c>--warmup</c>, default 5.</summary>
    public double WarmupSeconds { get; init; } = 5;

    /// <summary>Unmeasured seconds at the start of every cell (activates that cell's grains); <c>--cell-warmup</c>, default 1.</summary>
    public double CellWarmupSeconds { get; init; } = 1;

    /// <summary>Concurrent caller counts; <c>--callers 1,64,1024</c>.</summary>
    public int[] Callers { get; init; } = [1, 64, 1024];

    /// <summary>Targets to measure (<see cref="CallTargets"/> names); <c>--targets echo,client,backend</c>.</summary>
    public string[] Targets { get; init; } = AllTargets;

    /// <summary>Distinct grains per target; 0 = one per caller (the default); <c>--grains N</c> makes callers share N grains.</summary>
    public int Grains { get; init; }

    /// <summary>Where the CSV goes; <c>--results DIR</c>, default <c>bench/results</c> of the repository.</summary>
    public string? ResultsDirectory { get; init; }

    /// <summary>
    /// The silo child's ports (<c>--role silo --silo-port P --gateway-port G</c>, hidden from the help: the client role
    /// passes them to the child it starts); null in the client role.
    /// </summary>
    public (int SiloPort, int GatewayPort)? Silo { get; init; }

    /// <summary>
    /// Parses the command line: null when the tool should not run, after it printed the help (<paramref name="exitCode"/> 0)
    /// or the error and the usage (<paramref name="exitCode"/> 2).
    /// </summary>
    public static BenchOptions? Parse(string[] args, out int exitCode)
    {
        var d = new BenchOptions();
        var seconds = new Option<double>("--seconds") { Description = "Measured seconds per cell (target × callers)", HelpName = "S", DefaultValueFactory = _ => d.Seconds }.Must(s => s > 0, "> 0");
        var warmup = new Option<double>("--warmup") { Description = "Warm-up seconds before the first cell, shared by the targets", HelpName = "S", DefaultValueFactory = _ => d.WarmupSeconds }.Must(s => s >= 0, "≥ 0");
        var cellWarmup = new Option<double>("--cell-warmup") { Description = "Unmeasured seconds at the start of every cell", HelpName = "S", DefaultValueFactory = _ => d.CellWarmupSeconds }.Must(s => s >= 0, "≥ 0");
        var callers = new Option<int[]>("--callers")
        {
            Description = $"Concurrent caller counts, comma-separated [default: {string.Join(',', d.Callers)}]",
            HelpName = "N,N,…",
            Arity = ArgumentArity.ExactlyOne,
            CustomParser = WholeNumbers,
        }.Must(c => c.Length > 0 && c.All(n => n >= 1), "whole numbers ≥ 1");
        var targets = new Option<string[]>("--targets")
        {
            Description = $"Targets, comma-separated: {string.Join(", ", AllTargets)} [default: all]",
            HelpName = "T,T,…",
            Arity = ArgumentArity.ExactlyOne,
            CustomParser = r => r.Tokens[0].Value.Split(',', StringSplitOptions.RemoveEmptyEntries),
        }.Must(t => t.Length > 0 && t.All(AllTargets.Contains), $"among {string.Join(", ", AllTargets)}");
        var grains = new Option<int>("--grains") { Description = "Distinct grains per target, shared by the callers; 0 = one per caller", HelpName = "N", DefaultValueFactory = _ => d.Grains }.Must(n => n >= 0, "≥ 0");
        var results = new Option<string>("--results") { Description = "Directory of the CSV [default: bench/results of the repository]", HelpName = "DIR" };
        var role = new Option<string>("--role") { Hidden = true, DefaultValueFactory = _ => "client" }.Must(r => r is "client" or "silo", "client or silo");
        var siloPort = new Option<int?>("--silo-port") { Hidden = true }.Must(p => p is > 0 and <= 65535, "a port");
        var gatewayPort = new Option<int?>("--gateway-port") { Hidden = true }.Must(p => p is > 0 and <= 65535, "a port");
        var command = BenchCommandLine.Root(
            "Grain calls over Orleans's transport between this process and a silo child on 127.0.0.1: calls/s, latency, CPU and "
            + "bytes per call for every target × caller count; prints a Markdown table and writes a CSV. "
            + "With --bdn instead (the other arguments go to BenchmarkDotNet): serializer round trips of Granary's messages.",
            seconds, warmup, cellWarmup, callers, targets, grains, results, role, siloPort, gatewayPort);
        command.Validators.Add(r =>
        {
            if (r.GetResult(role)?.Tokens is [{ Value: "silo" }] && (r.GetResult(siloPort) is null || r.GetResult(gatewayPort) is null))
                r.AddError("--role silo needs --silo-port and --gateway-port.");
        });
        var result = command.ParseOrExit(args, out exitCode);
        return result is null ? null : d with
        {
            Seconds = result.GetValue(seconds),
            WarmupSeconds = result.GetValue(warmup),
            CellWarmupSeconds = result.GetValue(cellWarmup),
            Callers = result.GetValue(callers) ?? d.Callers,
            Targets = result.GetValue(targets) ?? d.Targets,
            Grains = result.GetValue(grains),
            ResultsDirectory = result.GetValue(results),
            Silo = result.GetValue(role) == "silo" ? (result.GetValue(siloPort)!.Value, result.GetValue(gatewayPort)!.Value) : null,
        };
    }

    /// <summary><c>--callers</c>: whole numbers separated by commas.</summary>
    private static int[] WholeNumbers(ArgumentResult result)
    {
        var numbers = new List<int>();
        foreach (var part in result.Tokens[0].Value.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
            {
                result.AddError($"--callers takes whole numbers separated by commas, not '{part}'.");
                return [];
            }
            numbers.Add(number);
        }
        return [.. numbers];
    }
}
