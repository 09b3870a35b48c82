namespace Granary.Runtime.Invocation;

/// <summary>A call named a method id the grain interface does not have.</summary>
/// <param name="grainType">The grain type name.</param>
/// <param name="methodId">The unknown method id.</param>
public sealed class UnknownGrainMethodException(string grainType, ushort methodId)
    : Exception($"Grain type '{grainType}' has no method {methodId}.");
