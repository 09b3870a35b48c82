namespace Granary.Runtime.Hosting;

/// <summary>What a silo hosts right now: its live activations, for the dashboard and <c>/api</c>.</summary>
public interface IActivationDirectory
{
    /// <summary>Ids of the live activations of one grain type on this silo (a snapshot).</summary>
    IReadOnlyList<GrainId> GetActivations(string grainType);

    /// <summary>Live activations on this silo, all types.</summary>
    int Count { get; }

    /// <summary>
    /// [dash-api] Grain calls this silo has handled since it started (local and remote, any outcome):
    /// a monotonic counter for a calls/s rate (sample it and divide the delta by the elapsed time).
    /// 0 for directories that do not count.
    /// </summary>
    long CallsHandled => 0;
}
