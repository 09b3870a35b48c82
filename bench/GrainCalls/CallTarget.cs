using System.Diagnostics;

namespace Granary.Bench.GrainCalls;

/// <summary>One grain method under test: runs C concurrent caller loops against it until a deadline.</summary>
internal abstract class CallTarget(string name, string description)
{
    /// <summary>The <c>--targets</c> name.</summary>
    public string Name { get; } = name;

    /// <summary>What the table shows.</summary>
    public string Description { get; } = description;

    /// <summary>
    /// Runs <paramref name="callers"/> loops, each awaiting one call at a time, until <paramref name="control"/>'s
    /// deadline (a <see cref="Stopwatch"/> timestamp); caller <c>c</c> calls grain <c>c % grains</c>.
    /// </summary>
    public abstract Task<CellStats> RunAsync(IGrainFactory factory, int callers, int grains, LoopControl control);
}
