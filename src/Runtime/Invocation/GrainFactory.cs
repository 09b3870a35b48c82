namespace Granary.Runtime.Invocation;

/// <summary>
/// <see cref="IGrainFactory"/> over a registry and an invoker: the same code serves gateways
/// (network invoker) and silos (local invoker).
/// </summary>
/// <param name="registry">The known grain interfaces.</param>
/// <param name="invoker">Carries the calls of the references handed out.</param>
public sealed class GrainFactory(GrainInterfaceRegistry registry, IGrainCallInvoker invoker) : IGrainFactory
{
    /// <inheritdoc />
    public TGrain GetGrain<TGrain>(string key) where TGrain : class, IGrain
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Length > GrainId.MaxKeyLength)
            throw new ArgumentException($"Grain key is {key.Length} characters; the limit is {GrainId.MaxKeyLength}.", nameof(key));
        var descriptor = registry.GetByInterface(typeof(TGrain));
        return (TGrain)descriptor.CreateReference(new GrainId(descriptor.GrainType, key), invoker);
    }
}
