namespace Granary.Runtime.Hosting;

/// <summary>What a silo hosts right now: its live activations, for the dashboard and <c>/api</c>.</summary>
public interface IActivationDirectory
{
    /// <summary>Ids of the live activations of one grain type on this silo (a snapshot).</summary>
    IReadOnlyList<GrainId> GetActivations(string grainType);

    /// <summary>Live activations on this silo, all types.</summary>
    int Count { get; }
}
