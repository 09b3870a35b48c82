using System.Diagnostics;

namespace Granary.Bench.GrainCalls;

/// <summary>
/// A target whose method answers a <typeparamref name="T"/>. The per-caller delegate is made once and is
/// not async (it returns the grain proxy's own <see cref="ValueTask{T}"/>), so the loop adds no allocation per call.
/// </summary>
/// <param name="name">The <c>--targets</c> name.</param>
/// <param name="description">What the table shows.</param>
/// <param name="callerFor">Makes caller slot <c>k</c>'s call: iteration number → the call.</param>
/// <param name="check">Null when the answer to iteration <c>i</c> is right, else what is wrong (counted as an error).</param>
internal sealed class MethodTarget<T>(
    string name,
    string description,
    Func<IGrainFactory, int, Func<int, ValueTask<T>>> callerFor,
    Func<int, T, string?> check) : CallTarget(name, description)
{
    public override async Task<CellStats> RunAsync(IGrainFactory factory, int callers, int grains, LoopControl control)
    {
        var stats = new CellStats();
        using var histograms = new ThreadLocal<LatencyHistogram>(() => new LatencyHistogram(), trackAllValues: true);
        var calls = new Func<int, ValueTask<T>>[Math.Min(callers, grains)];
        for (var k = 0; k < calls.Length; k++)
            calls[k] = callerFor(factory, k);
        var loops = new Task[callers];
        for (var c = 0; c < callers; c++)
            loops[c] = LoopAsync(calls[c % calls.Length], histograms, stats, control);
        await Task.WhenAll(loops);
        foreach (var histogram in histograms.Values)
            stats.Histogram.Add(histogram);
        return stats;
    }

    /// <summary>
    /// Latencies go to one histogram per thread (not per loop): 1024 per-loop histograms (18 KB each) would
    /// miss the CPU caches on every record and bill the benchmark's own bookkeeping to the calls.
    /// </summary>
    private async Task LoopAsync(Func<int, ValueTask<T>> call, ThreadLocal<LatencyHistogram> histograms, CellStats stats, LoopControl control)
    {
        // Start every loop on the thread pool so no caller runs ahead inline on the starting thread.
        await Task.Yield();
        var i = 0;
        long now;
        while ((now = Stopwatch.GetTimestamp()) < control.Deadline)
        {
            string? wrong;
            try
            {
                var answer = await call(i);
                var elapsed = Stopwatch.GetTimestamp() - now;
                wrong = check(i, answer);
                if (wrong is null)
                    histograms.Value!.RecordTicks(elapsed);
            }
            catch (Exception e)
            {
                wrong = $"{e.GetType().Name}: {e.Message}";
            }
            if (wrong is not null)
                stats.RecordError(wrong);
            i++;
        }
    }
}
