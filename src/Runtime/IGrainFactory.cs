namespace Granary.Runtime;

/// <summary>
/// Hands out typed grain references. A reference is cheap, never touches the network when
/// created, and names no silo: the runtime places the grain (location transparency).
/// </summary>
public interface IGrainFactory
{
    /// <summary>Returns a reference to the grain of interface <typeparamref name="TGrain"/> with the given key.</summary>
    /// <exception cref="ArgumentException">The key is empty or longer than <see cref="GrainId.MaxKeyLength"/>.</exception>
    /// <exception cref="InvalidOperationException">No <see cref="Invocation.GrainInterfaceDescriptor"/> is registered for <typeparamref name="TGrain"/>.</exception>
    TGrain GetGrain<TGrain>(string key) where TGrain : class, IGrain;
}
