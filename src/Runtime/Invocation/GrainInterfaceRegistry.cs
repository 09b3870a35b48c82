namespace Granary.Runtime.Invocation;

/// <summary>
/// The set of grain interfaces a process knows, by interface type and by grain type name.
/// Built once at startup; duplicate names fail at construction.
/// </summary>
public sealed class GrainInterfaceRegistry
{
    private readonly Dictionary<Type, GrainInterfaceDescriptor> _byInterface = [];
    private readonly Dictionary<string, GrainInterfaceDescriptor> _byGrainType = new(StringComparer.Ordinal);

    /// <summary>Registers the given descriptors.</summary>
    /// <exception cref="ArgumentException">Two descriptors share a grain type name or an interface.</exception>
    public GrainInterfaceRegistry(IEnumerable<GrainInterfaceDescriptor> descriptors)
    {
        foreach (var d in descriptors)
        {
            if (!_byGrainType.TryAdd(d.GrainType, d))
                throw new ArgumentException($"Grain type '{d.GrainType}' is registered twice.", nameof(descriptors));
            if (!_byInterface.TryAdd(d.InterfaceType, d))
                throw new ArgumentException($"Grain interface {d.InterfaceType.Name} is registered twice.", nameof(descriptors));
        }
    }

    /// <summary>The registered descriptors.</summary>
    public IEnumerable<GrainInterfaceDescriptor> All => _byGrainType.Values;

    /// <summary>Finds the descriptor for a grain interface.</summary>
    /// <exception cref="InvalidOperationException">The interface is not registered.</exception>
    public GrainInterfaceDescriptor GetByInterface(Type interfaceType) =>
        _byInterface.TryGetValue(interfaceType, out var d)
            ? d
            : throw new InvalidOperationException($"Grain interface {interfaceType.Name} is not registered; known: {string.Join(", ", _byInterface.Keys.Select(k => k.Name))}.");

    /// <summary>Finds the descriptor for a grain type name; false when unknown.</summary>
    public bool TryGetByGrainType(string grainType, out GrainInterfaceDescriptor descriptor) =>
        _byGrainType.TryGetValue(grainType, out descriptor!);
}
