using System.Globalization;

namespace Granary.Bench.GrainCalls;

/// <summary>A process's running totals at one moment: CPU time, bytes allocated, GC counts. Deltas of two samples make a cell's figures.</summary>
/// <param name="Cpu">User + kernel CPU time of the whole process (<see cref="Environment.CpuUsage"/>).</param>
/// <param name="AllocatedBytes">Bytes allocated by every thread (<see cref="GC.GetTotalAllocatedBytes(bool)"/>, precise).</param>
/// <param name="Gen0">Gen-0 collections so far.</param>
/// <param name="Gen1">Gen-1 collections so far.</param>
/// <param name="Gen2">Gen-2 collections so far.</param>
internal readonly record struct ProcessSample(TimeSpan Cpu, long AllocatedBytes, int Gen0, int Gen1, int Gen2)
{
    public static ProcessSample Now() =>
        new(Environment.CpuUsage.TotalTime, GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

    /// <summary>One line for the silo's control channel: <c>STATS cpuTicks bytes gen0 gen1 gen2</c>.</summary>
    public string Format() => string.Create(CultureInfo.InvariantCulture, $"STATS {Cpu.Ticks} {AllocatedBytes} {Gen0} {Gen1} {Gen2}");

    public static ProcessSample Parse(string line)
    {
        var parts = line.Split(' ');
        if (parts.Length != 6 || parts[0] != "STATS")
            throw new FormatException($"Not a STATS line: '{line}'.");
        return new ProcessSample(
            TimeSpan.FromTicks(long.Parse(parts[1], CultureInfo.InvariantCulture)),
            long.Parse(parts[2], CultureInfo.InvariantCulture),
            int.Parse(parts[3], CultureInfo.InvariantCulture),
            int.Parse(parts[4], CultureInfo.InvariantCulture),
            int.Parse(parts[5], CultureInfo.InvariantCulture));
    }

    public static ProcessSample operator -(ProcessSample after, ProcessSample before) =>
        new(after.Cpu - before.Cpu, after.AllocatedBytes - before.AllocatedBytes, after.Gen0 - before.Gen0, after.Gen1 - before.Gen1, after.Gen2 - before.Gen2);
}
