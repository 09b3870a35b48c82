using System.Collections.Concurrent;

namespace Granary.Silo.Dashboard;

/// <summary>
/// Grain calls per second served by each silo, from the running totals its <see cref="ISiloLoadService"/>
/// reports (<see cref="SiloLoad.GrainCalls"/> at <see cref="SiloLoad.AtUnixMs"/>, the silo's own clock): the
/// rate over the time since the sample kept for that silo, once that is at least <see cref="MinInterval"/>
/// old (else the last rate again). Null until a silo has two samples. Thread-safe; costs nothing between
/// dashboard reads.
/// </summary>
internal sealed class CallRates
{
    /// <summary>Shortest interval a rate is computed over: 1 s.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<SiloAddress, Sample> _samples = new();

    /// <summary>Records a sample of <paramref name="silo"/> and returns its rate, calls/s rounded to 0.1 (null before two samples).</summary>
    /// <param name="silo">The silo incarnation.</param>
    /// <param name="load">Its running total and when it was read.</param>
    public double? Observe(SiloAddress silo, SiloLoad load)
    {
        ArgumentNullException.ThrowIfNull(load);
        while (true)
        {
            if (!_samples.TryGetValue(silo, out var kept))
            {
                if (_samples.TryAdd(silo, new Sample(load.AtUnixMs, load.GrainCalls, null)))
                    return null;
                continue;
            }
            var elapsedMs = load.AtUnixMs - kept.AtUnixMs;
            if (elapsedMs < MinInterval.TotalMilliseconds)
                return kept.Rate;
            var rate = Math.Round(Math.Max(0, load.GrainCalls - kept.Calls) * 1000.0 / elapsedMs, 1);
            if (_samples.TryUpdate(silo, new Sample(load.AtUnixMs, load.GrainCalls, rate), kept))
                return rate;
        }
    }

    /// <summary>Forgets every silo not in <paramref name="live"/> (dead incarnations).</summary>
    public void Retain(IReadOnlySet<SiloAddress> live)
    {
        ArgumentNullException.ThrowIfNull(live);
        foreach (var silo in _samples.Keys)
        {
            if (!live.Contains(silo))
                _samples.TryRemove(silo, out _);
        }
    }

    private sealed record Sample(long AtUnixMs, long Calls, double? Rate);
}
