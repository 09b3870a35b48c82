namespace Granary.Runtime;

/// <summary>Marker for grain interfaces. Every grain in Granary is keyed by a string (<see cref="GrainId.Key"/>).</summary>
public interface IGrain;
