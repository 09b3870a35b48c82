using System.Diagnostics;

namespace Granary.Bench.GrainCalls;

/// <summary>When the caller loops stop: a <see cref="Stopwatch"/> deadline that Ctrl+C can pull forward.</summary>
internal sealed class LoopControl(long deadline)
{
    private long _deadline = deadline;

    /// <summary>Loops start no call at or after this <see cref="Stopwatch.GetTimestamp"/> value.</summary>
    public long Deadline => Volatile.Read(ref _deadline);

    public static LoopControl For(double seconds) => new(Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency));

    /// <summary>Stops the loops after their current call.</summary>
    public void Stop() => Volatile.Write(ref _deadline, 0);
}
