using System.Diagnostics.Metrics;
using Granary.Runtime.Catalog;
using Granary.Runtime.Invocation;
using Granary.Runtime.Membership;
using Granary.Runtime.Messaging;
using Granary.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using GrainCatalog = Granary.Runtime.Catalog.Catalog;

namespace Granary.Runtime.Hosting;

/// <summary>Registers the silo side of the grain runtime in a host.</summary>
public static class SiloServiceCollectionExtensions
{
    /// <summary>
    /// Adds the silo runtime: catalog (activations, turns, timers, idle collection), placement,
    /// membership (join, heartbeat, declaring dead silos, self-fencing, rejoin; see
    /// <see cref="SiloOptions.HeartbeatIntervalMs"/>, <see cref="SiloOptions.LeaseDurationMs"/>,
    /// <see cref="SiloOptions.MembershipRefreshIntervalMs"/>) over an in-memory table and in-memory
    /// storage unless others are registered, and an <see cref="IGrainFactory"/> that routes each
    /// call to the grain's owner (this silo's catalog, or another silo over the grain transport).
    /// Options are validated at start; a bad value fails start-up with a message naming it. The cluster
    /// secret is <see cref="SiloOptions.ClusterSecret"/>, else <c>Granary:ClusterSecret</c> of the host's
    /// configuration; silo-to-silo calls prove it too (the grain port itself refuses to bind beyond
    /// loopback without one: see <see cref="KestrelGrainPortExtensions.ListenGrainPort"/>).
    /// </summary>
    /// <remarks>
    /// Registers (singletons): <see cref="SiloOptions"/> (configured by <paramref name="configure"/>
    /// only; bind configuration yourself), <see cref="TimeProvider"/> (System, unless registered),
    /// <see cref="ILocalSiloDetails"/> and <see cref="SiloAddress"/> (the first incarnation; <see cref="ILocalSiloDetails.SiloAddress"/> follows rejoins), <see cref="IMembershipTable"/>
    /// (in-memory, unless registered), <see cref="IGrainStorage"/> (in-memory, unless registered),
    /// <see cref="IPersistentStateFactory"/> (grain state written behind every <see cref="SiloOptions.WriteBehindIntervalMs"/>),
    /// <see cref="IMembershipViewProvider"/> (the membership service), <see cref="GrainInterfaceRegistry"/>
    /// (every registered <see cref="GrainInterfaceDescriptor"/>), <see cref="IIncomingCallHandler"/> and
    /// <see cref="IActivationDirectory"/> (the catalog), <see cref="IGrainFactory"/> (routed: local catalog or the owner silo), and
    /// three hosted services: membership (joins at start, leaves at stop), write-behind (stops after
    /// the catalog and writes every dirty grain state) and the catalog (deactivates every grain at
    /// stop). Calling it twice is harmless; <paramref name="configure"/> then adds up.
    /// </remarks>
    /// <exception cref="OptionsValidationException">At host start, when <see cref="SiloOptions.Validate"/> reports problems (all are listed).</exception>
    public static IServiceCollection AddGranarySilo(this IServiceCollection services, Action<SiloOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SiloOptions>();
        if (configure is not null)
            options.Configure(configure);
        // The cluster secret: Granary:Silo:ClusterSecret when set, else Granary:ClusterSecret (shared with the gateways).
        options.PostConfigure<IServiceProvider>((o, sp) => o.ClusterSecret = Transport.SiloConnectionHandler.ResolveSecret(o.ClusterSecret, sp));
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SiloOptions>, SiloOptionsValidator>());
        services.AddLogging();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ILocalSiloDetails, LocalSiloDetails>();
        services.TryAddSingleton(sp => sp.GetRequiredService<ILocalSiloDetails>().SiloAddress);
        services.TryAddSingleton<IMembershipTable, InMemoryMembershipTable>();
        services.TryAddSingleton<IGrainStorage, InMemoryGrainStorage>();
        services.TryAddSingleton(sp => new WriteBehindQueue(
            sp.GetRequiredService<IGrainStorage>(), sp.GetRequiredService<IOptions<SiloOptions>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<WriteBehindQueue>>(), sp.GetService<IMeterFactory>()));
        services.TryAddSingleton<IPersistentStateFactory, PersistentStateFactory>();
        services.TryAddSingleton<MembershipService>();
        services.TryAddSingleton<IMembershipViewProvider>(sp => sp.GetRequiredService<MembershipService>());
        services.TryAddSingleton<ILocalSiloMembership>(sp => sp.GetRequiredService<MembershipService>());

        services.TryAddSingleton(sp => new GrainInterfaceRegistry(sp.GetServices<GrainInterfaceDescriptor>().Distinct()));
        services.TryAddSingleton<GrainCatalog>();
        services.TryAddSingleton<IIncomingCallHandler>(sp => sp.GetRequiredService<GrainCatalog>());
        services.TryAddSingleton<IActivationDirectory>(sp => sp.GetRequiredService<GrainCatalog>());
        services.TryAddSingleton<LocalGrainCallInvoker>();
        services.TryAddSingleton<RoutingGrainCallInvoker>();
        services.TryAddSingleton<IGrainFactory>(sp => new GrainFactory(sp.GetRequiredService<GrainInterfaceRegistry>(), sp.GetRequiredService<RoutingGrainCallInvoker>()));

        // Start order: membership (join as Active), then the catalog. Stop runs in reverse, and
        // membership also leaves the view before any service stops (IHostedLifecycleService.StoppingAsync).
        services.AddHostedService(sp => sp.GetRequiredService<MembershipService>());
        // Write-behind is registered before the catalog so it stops after it: its StopAsync then
        // writes every state the deactivating grains left dirty (hosted services stop in reverse order).
        services.AddHostedService(sp => sp.GetRequiredService<WriteBehindQueue>());
        services.AddHostedService(sp => sp.GetRequiredService<GrainCatalog>());
        return services;
    }

    /// <summary>Registers grain class <typeparamref name="TGrain"/> as the implementation of <paramref name="descriptor"/>'s interface. Grain classes are created with DI (constructor injection).</summary>
    /// <exception cref="ArgumentException"><typeparamref name="TGrain"/> does not implement <see cref="GrainInterfaceDescriptor.InterfaceType"/>.</exception>
    public static IServiceCollection AddGrain<TGrain>(this IServiceCollection services, GrainInterfaceDescriptor descriptor) where TGrain : Grain
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(descriptor);
        if (!descriptor.InterfaceType.IsAssignableFrom(typeof(TGrain)))
            throw new ArgumentException($"Grain class {typeof(TGrain).Name} does not implement {descriptor.InterfaceType.Name}.", nameof(descriptor));
        services.AddGrainInterface(descriptor);
        services.AddSingleton(new GrainClassRegistration(descriptor.GrainType, typeof(TGrain)));
        return services;
    }

    /// <summary>Registers a grain interface a client may call (no implementation here). Registering the same descriptor again is a no-op.</summary>
    public static IServiceCollection AddGrainInterface(this IServiceCollection services, GrainInterfaceDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(descriptor);
        foreach (var existing in services)
        {
            if (existing.ServiceType == typeof(GrainInterfaceDescriptor) && ReferenceEquals(existing.ImplementationInstance, descriptor))
                return services;
        }
        services.AddSingleton(descriptor);
        return services;
    }
}
