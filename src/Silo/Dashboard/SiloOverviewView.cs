namespace Granary.Silo.Dashboard;

/// <summary>
/// A silo in <c>/api/overview</c>: its row of the membership table, and for a silo that is not Dead its
/// figures from Orleans's runtime statistics. When a live silo did not answer, the figures are null and
/// <see cref="Error"/> says why; a Dead silo has no figures and no error.
/// </summary>
/// <param name="Address">Silo address <c>host:port@generation</c>.</param>
/// <param name="Generation">The incarnation's generation (Orleans: seconds since 2022-01-01 at start-up).</param>
/// <param name="Name">The silo's name in the membership table.</param>
/// <param name="Status">Its status in the membership table: <c>Created</c>, <c>Joining</c>, <c>Active</c>, <c>ShuttingDown</c>, <c>Stopping</c> or <c>Dead</c>.</param>
/// <param name="StartedAt">When the incarnation started (its row's start time), Unix ms.</param>
/// <param name="Activations">Live grain activations, Orleans's own included.</param>
/// <param name="Grains">Live activations of Granary's grains by type (<c>backend</c>, <c>client</c>, <c>gateway</c>).</param>
/// <param name="GrainCallsPerSec">Calls per second served by Granary's grains on the silo, over the time since the previous read (≥ 1 s, <see cref="CallRates"/>); null on the first read.</param>
/// <param name="CpuPercent">Process CPU, percent of the machine (Orleans's filtered figure).</param>
/// <param name="MemoryMb">Process memory in use, MiB.</param>
/// <param name="Error">Why a live silo's figures are missing, or null.</param>
internal sealed record SiloOverviewView(
    string Address,
    int Generation,
    string Name,
    string Status,
    long StartedAt,
    int? Activations,
    IReadOnlyDictionary<string, int>? Grains,
    double? GrainCallsPerSec,
    double? CpuPercent,
    double? MemoryMb,
    string? Error);
