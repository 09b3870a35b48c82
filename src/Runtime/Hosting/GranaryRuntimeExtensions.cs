using Granary.Runtime.Invocation;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.Runtime.Hosting;

/// <summary>Registers the grain runtime in a host: silo side and client side.</summary>
public static class GranaryRuntimeExtensions
{
    /// <summary>
    /// Adds the silo runtime: catalog (activations, turns, timers, idle collection), placement,
    /// in-memory membership and storage unless others are registered, and a local
    /// <see cref="IGrainFactory"/>. Options are validated at start; a bad value fails start-up
    /// with a message naming it.
    /// </summary>
    public static IServiceCollection AddGranarySilo(this IServiceCollection services, Action<SiloOptions>? configure = null) =>
        throw new NotImplementedException();

    /// <summary>Registers grain class <typeparamref name="TGrain"/> as the implementation of <paramref name="descriptor"/>'s interface. Grain classes are created with DI (constructor injection).</summary>
    public static IServiceCollection AddGrain<TGrain>(this IServiceCollection services, GrainInterfaceDescriptor descriptor) where TGrain : Grain =>
        throw new NotImplementedException();

    /// <summary>Registers a grain interface a client may call (no implementation here).</summary>
    public static IServiceCollection AddGrainInterface(this IServiceCollection services, GrainInterfaceDescriptor descriptor) =>
        throw new NotImplementedException();

    /// <summary>Binds the silo's grain port (<see cref="SiloOptions.Host"/>:<see cref="SiloOptions.GrainPort"/>) to Kestrel with the grain connection handler.</summary>
    public static KestrelServerOptions ListenGrainPort(this KestrelServerOptions kestrel, SiloOptions options) =>
        throw new NotImplementedException();

    /// <summary>Adds the grain client: connections to the silos, routing by rendezvous placement, <see cref="IClusterClient"/> and <see cref="IGrainFactory"/>.</summary>
    public static IServiceCollection AddGranaryClient(this IServiceCollection services, Action<ClientOptions>? configure = null) =>
        throw new NotImplementedException();
}
