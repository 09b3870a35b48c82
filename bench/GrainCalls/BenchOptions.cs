using System.Globalization;

namespace Granary.Bench.GrainCalls;

/// <summary>
/// Command-line options of the client role (the default). Every value has a default so that a bare
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

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions
        {
            Seconds = Double(args, "--seconds", 5),
            WarmupSeconds = Double(args, "--warmup", 5),
            CellWarmupSeconds = Double(args, "--cell-warmup", 1),
            Callers = [.. (Value(args, "--callers") ?? "1,64,1024").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(c => int.Parse(c, CultureInfo.InvariantCulture))],
            Targets = Value(args, "--targets")?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? AllTargets,
            Grains = (int)Double(args, "--grains", 0),
            ResultsDirectory = Value(args, "--results"),
        };
        if (options.Seconds <= 0 || options.WarmupSeconds < 0 || options.CellWarmupSeconds < 0 || options.Grains < 0 || options.Callers.Any(c => c < 1))
            throw new ArgumentException("--seconds must be > 0; --warmup, --cell-warmup and --grains ≥ 0; every --callers value ≥ 1.");
        foreach (var target in options.Targets)
        {
            if (!AllTargets.Contains(target))
                throw new ArgumentException($"Unknown target '{target}'; valid: {string.Join(", ", AllTargets)}.");
        }
        return options;
    }

    /// <summary>The value after <paramref name="name"/>, or null when absent.</summary>
    public static string? Value(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static double Double(string[] args, string name, double fallback) =>
        Value(args, name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
