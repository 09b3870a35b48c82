namespace Granary.Silo.Dashboard;

/// <summary>
/// A silo in <c>/api/overview</c>. When the silo did not answer the fan-out, the figures are null and
/// <see cref="Error"/> says why.
/// </summary>
/// <param name="Address">Silo address <c>host:port@generation</c>.</param>
/// <param name="Generation">The incarnation's generation (ms since the Unix epoch at start-up, by default).</param>
/// <param name="HttpUrl">Its HTTP base URL, or null when unknown.</param>
/// <param name="Status">Its status in the membership table.</param>
/// <param name="Activations">Live grain activations.</param>
/// <param name="GrainCallsPerSec">Grain calls handled per second (last 1 s sample).</param>
/// <param name="CpuPercent">Process CPU, percent of the machine (last 1 s sample).</param>
/// <param name="MemoryMb">Working set, MiB.</param>
/// <param name="Error">Why the silo's figures are missing, or null.</param>
internal sealed record SiloOverviewView(
    string Address,
    long Generation,
    string? HttpUrl,
    string Status,
    int? Activations,
    double? GrainCallsPerSec,
    double? CpuPercent,
    double? MemoryMb,
    string? Error);
