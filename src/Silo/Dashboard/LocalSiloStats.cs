namespace Granary.Silo.Dashboard;

/// <summary>This silo's load over the last sample interval (1 s), from <see cref="SiloStatsSampler"/>.</summary>
/// <param name="GrainCallsPerSec">Grain calls handled per second (local and remote callers).</param>
/// <param name="CpuPercent">Process CPU time over wall time over the processor count, percent of the whole machine (0–100).</param>
/// <param name="MemoryMb">Working set, MiB.</param>
internal sealed record LocalSiloStats(double GrainCallsPerSec, double CpuPercent, double MemoryMb);
