using System.Diagnostics;

namespace Granary.Bench.GrainCalls;

/// <summary>C concurrent caller loops, each awaiting one call at a time on its own grain.</summary>
internal static class CallLoops
{
    /// <summary>Runs <paramref name="callsPerCaller"/> sequential calls in each of the grains' loops, all loops at once.</summary>
    public static Task RunCountAsync(IEchoGrain[] grains, int callsPerCaller)
    {
        var loops = new Task[grains.Length];
        for (var i = 0; i < grains.Length; i++)
            loops[i] = CountLoopAsync(grains[i], callsPerCaller);
        return Task.WhenAll(loops);
    }

    /// <summary>
    /// Runs every loop until <paramref name="deadline"/> (a <see cref="Stopwatch"/> timestamp), recording each
    /// call's latency, and returns the merged histogram. Latencies go to one histogram per thread (not per
    /// loop): 1024 per-loop histograms (18 KB each) would miss the CPU caches on every record and bill the
    /// benchmark's own bookkeeping to the calls.
    /// </summary>
    public static async Task<LatencyHistogram> RunTimedAsync(IEchoGrain[] grains, long deadline)
    {
        using var perThread = new ThreadLocal<LatencyHistogram>(() => new LatencyHistogram(), trackAllValues: true);
        var loops = new Task[grains.Length];
        for (var i = 0; i < grains.Length; i++)
            loops[i] = TimedLoopAsync(grains[i], perThread, deadline);
        await Task.WhenAll(loops);
        var total = new LatencyHistogram();
        foreach (var histogram in perThread.Values)
            total.Add(histogram);
        return total;
    }

    private static async Task CountLoopAsync(IEchoGrain grain, int calls)
    {
        // Start every loop on the thread pool so no caller runs ahead inline on the starting thread.
        await Task.Yield();
        for (var i = 0; i < calls; i++)
        {
            var reply = await grain.EchoAsync(new EchoValue(i));
            if (reply.Value != i)
                throw new InvalidOperationException($"Echo returned {reply.Value}, expected {i}.");
        }
    }

    private static async Task TimedLoopAsync(IEchoGrain grain, ThreadLocal<LatencyHistogram> histograms, long deadline)
    {
        await Task.Yield();
        var i = 0;
        long now;
        while ((now = Stopwatch.GetTimestamp()) < deadline)
        {
            var reply = await grain.EchoAsync(new EchoValue(i));
            histograms.Value!.RecordTicks(Stopwatch.GetTimestamp() - now);
            if (reply.Value != i)
                throw new InvalidOperationException($"Echo returned {reply.Value}, expected {i}.");
            i++;
        }
    }
}
