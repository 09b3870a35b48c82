using Granary.Runtime.Serialization;

namespace Granary.Runtime.Storage;

/// <summary>The silo's <see cref="IPersistentStateFactory"/>: states read from <see cref="IGrainStorage"/> and written behind by <see cref="WriteBehindQueue"/>.</summary>
internal sealed class PersistentStateFactory(IGrainStorage storage, WriteBehindQueue queue) : IPersistentStateFactory
{
    public PersistentState<T> Create<T>(IGrainContext context, string stateName, Func<T> initial) where T : IGrainCodec<T>
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(stateName);
        ArgumentNullException.ThrowIfNull(initial);
        if (stateName.Length is 0 or > IPersistentStateFactory.MaxStateNameLength)
            throw new ArgumentException($"A state name must be 1–{IPersistentStateFactory.MaxStateNameLength} characters, got {stateName.Length}.", nameof(stateName));
        var grainId = context.GrainId;
        var storageType = string.Equals(stateName, IPersistentStateFactory.DefaultStateName, StringComparison.Ordinal)
            ? grainId.Type
            : grainId.Type + "/" + stateName;
        var slot = new PersistentStateSlot(context, storageType, grainId.Key);
        return new PersistentState<T>(slot, queue, storage, stateName, initial());
    }
}
