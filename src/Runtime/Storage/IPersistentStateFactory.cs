using Granary.Runtime.Serialization;

namespace Granary.Runtime.Storage;

/// <summary>
/// Creates a grain's <see cref="PersistentState{T}"/> (Orleans: <c>IPersistentStateFactory</c> /
/// <c>[PersistentState]</c>). Inject it into a grain class and call <see cref="Create{T}"/> from
/// <see cref="Grain.OnActivateAsync"/>, then <see cref="PersistentState{T}.LoadAsync"/>.
/// Registered in every silo by <c>AddGranarySilo</c>.
/// </summary>
public interface IPersistentStateFactory
{
    /// <summary>The name of a grain's only (default) state: <c>"state"</c>; stored under the plain grain type.</summary>
    const string DefaultStateName = "state";

    /// <summary>The longest state name accepted, characters (64).</summary>
    const int MaxStateNameLength = 64;

    /// <summary>
    /// Creates the handle of one named state of the grain served by <paramref name="context"/>.
    /// It is stored under (grain type, grain key) for <see cref="DefaultStateName"/>,
    /// and under (<c>grain type + "/" + stateName</c>, grain key) for any other name, so one grain may keep several states.
    /// </summary>
    /// <typeparam name="T">The state type; it encodes itself (<see cref="IGrainCodec{TSelf}"/>).</typeparam>
    /// <param name="context">The activation's context (<see cref="Grain.Context"/>).</param>
    /// <param name="stateName">The state's name: 1–64 characters; <see cref="DefaultStateName"/> for a grain's only state.</param>
    /// <param name="initial">The state of a grain that has none stored yet (also the value before <see cref="PersistentState{T}.LoadAsync"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="stateName"/> is empty or longer than 64 characters.</exception>
    PersistentState<T> Create<T>(IGrainContext context, string stateName, Func<T> initial) where T : IGrainCodec<T>;
}
