using Granary.Runtime.Invocation;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.Runtime.Catalog;

/// <summary>A grain type this silo hosts: its interface descriptor and how to create its class with DI.</summary>
internal sealed class GrainTypeInfo(GrainInterfaceDescriptor descriptor, Type grainClass)
{
    private readonly ObjectFactory _factory = ActivatorUtilities.CreateFactory(grainClass, Type.EmptyTypes);

    public GrainInterfaceDescriptor Descriptor { get; } = descriptor;

    public Type GrainClass { get; } = grainClass;

    public Grain Create(IServiceProvider services) => (Grain)_factory(services, null);
}
