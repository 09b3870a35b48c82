using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>What one iteration is working on, kept so a failure or hang can name its input.</summary>
internal sealed class FuzzContext(long seed, long iteration)
{
    public long Seed { get; } = seed;

    public long Iteration { get; } = iteration;

    /// <summary>A generator for this iteration only: (seed, iteration) reproduces it.</summary>
    public FuzzRandom NewRandom() => FuzzRandom.ForIteration(Seed, Iteration);

    /// <summary>The input under test (shown on failure).</summary>
    public byte[]? Input { get; set; }

    /// <summary>Extra words about the input (target, split points, path...).</summary>
    public string? Note { get; set; }

    public string Describe() =>
        $"seed {Seed} iteration {Iteration}{(Note is null ? "" : " (" + Note + ")")}: input[{Input?.Length ?? 0}] = {(Input is null ? "-" : Convert.ToHexString(Input.AsSpan(0, Math.Min(Input.Length, 512))))}{(Input is { Length: > 512 } ? "..." : "")}";
}

/// <summary>A broken property, thrown by a target's checks.</summary>
internal sealed class FuzzPropertyException(string message) : Exception(message);

/// <summary>
/// Runs a fuzz target for a bounded time: <c>GRANARY_FUZZ_SECONDS</c> (default 5 s) and
/// <c>GRANARY_FUZZ_SEED</c> (default a fixed seed, printed) so every failure is reproducible.
/// Iteration <c>i</c> of seed <c>s</c> always generates the same input.
/// </summary>
internal static class FuzzRunner
{
    public const long DefaultSeed = 20261121;
    private const int MaxReportedFailures = 10;

    public static double Seconds =>
        double.TryParse(Environment.GetEnvironmentVariable("GRANARY_FUZZ_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 5;

    public static long Seed =>
        long.TryParse(Environment.GetEnvironmentVariable("GRANARY_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : DefaultSeed;

    /// <summary>Runs a synchronous target on its own thread, so an infinite loop fails the test instead of hanging it.</summary>
    /// <param name="output">Where the summary line and failures go.</param>
    /// <param name="sink">Where the summary line goes too, shown even when the test passes.</param>
    /// <param name="target">The target's name in the summary.</param>
    /// <param name="body">One iteration: generates its input from the context's random source and checks it.</param>
    /// <param name="secondsShare">The share of <see cref="Seconds"/> this target gets (a lesser variant of another target).</param>
    public static FuzzReport Run(ITestOutputHelper output, FuzzSink sink, string target, Action<FuzzContext> body, double secondsShare = 1)
    {
        var seed = Seed;
        var budget = TimeSpan.FromSeconds(Seconds * secondsShare);
        var failures = new List<string>();
        long iterations = 0;
        FuzzContext? current = null;
        var stopwatch = Stopwatch.StartNew();
        var thread = new Thread(
            () =>
        {
            for (long i = 0; stopwatch.Elapsed < budget && failures.Count < MaxReportedFailures; i++)
            {
                var context = new FuzzContext(seed, i);
                Volatile.Write(ref current, context);
                try
                {
                    body(context);
                }
                catch (Exception e)
                {
                    lock (failures)
                        failures.Add($"{context.Describe()}\n    {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                }
                Interlocked.Increment(ref iterations);
            }
        },
            maxStackSize: 16 * 1024 * 1024)
        { IsBackground = true, Name = "fuzz-" + target };
        thread.Start();
        // An iteration is microseconds; a generous margin past the budget means a hang.
        if (!thread.Join(budget + TimeSpan.FromSeconds(15)))
        {
            lock (failures)
                failures.Add($"HANG: {Volatile.Read(ref current)?.Describe()}");
        }
        return Report(output, sink, target, seed, stopwatch.Elapsed, Interlocked.Read(ref iterations), failures);
    }

    /// <summary>Runs an asynchronous target; each iteration must finish within <paramref name="iterationTimeout"/>.</summary>
    public static async Task<FuzzReport> RunAsync(ITestOutputHelper output, FuzzSink sink, string target, TimeSpan iterationTimeout, Func<FuzzContext, Task> body)
    {
        var seed = Seed;
        var budget = TimeSpan.FromSeconds(Seconds);
        var failures = new List<string>();
        long iterations = 0;
        var stopwatch = Stopwatch.StartNew();
        for (long i = 0; stopwatch.Elapsed < budget && failures.Count < MaxReportedFailures; i++)
        {
            var context = new FuzzContext(seed, i);
            try
            {
                await body(context).WaitAsync(iterationTimeout);
            }
            catch (TimeoutException)
            {
                failures.Add($"HANG (> {iterationTimeout.TotalSeconds} s): {context.Describe()}");
                break;
            }
            catch (Exception e)
            {
                failures.Add($"{context.Describe()}\n    {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            iterations++;
        }
        return Report(output, sink, target, seed, stopwatch.Elapsed, iterations, failures);
    }

    private static FuzzReport Report(ITestOutputHelper output, FuzzSink sink, string target, long seed, TimeSpan elapsed, long iterations, List<string> failures)
    {
        var report = new FuzzReport(target, seed, iterations, elapsed, [.. failures]);
        output.WriteLine(report.Summary);
        sink.Write(report.Summary);
        foreach (var failure in report.Failures)
            output.WriteLine("FAILURE " + failure);
        return report;
    }
}

/// <summary>The outcome of one fuzz run.</summary>
internal sealed record FuzzReport(string Target, long Seed, long Iterations, TimeSpan Elapsed, IReadOnlyList<string> Failures)
{
    public double PerSecond => Iterations / Math.Max(Elapsed.TotalSeconds, 1e-9);

    public string Summary =>
        string.Create(CultureInfo.InvariantCulture,
            $"[fuzz] {Target}: seed {Seed} (GRANARY_FUZZ_SEED={Seed} reproduces), {Iterations} iterations in {Elapsed.TotalSeconds:F1} s = {PerSecond:F0}/s, {Failures.Count} failures");

    /// <summary>Fails the test with every failure's input when there is any; also requires some iterations ran.</summary>
    public void AssertClean()
    {
        Assert.True(Failures.Count == 0, Summary + "\n" + string.Join("\n", Failures));
        Assert.True(Iterations > 0, Summary);
    }
}
