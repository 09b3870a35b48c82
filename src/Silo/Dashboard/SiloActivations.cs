namespace Granary.Silo.Dashboard;

/// <summary>One silo's activations of a grain class (<see cref="ClusterReader.ActivationsEverywhereAsync"/>).</summary>
/// <param name="Silo">The silo asked.</param>
/// <param name="Ids">Its activations; empty when it did not answer.</param>
/// <param name="Error">Why the silo did not answer (<see cref="Http.GrainDeadline.Describe"/>); null when it did.</param>
internal sealed record SiloActivations(SiloAddress Silo, IReadOnlyList<GrainId> Ids, string? Error);
