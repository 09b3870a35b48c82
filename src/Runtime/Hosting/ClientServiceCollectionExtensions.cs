using System.Diagnostics.Metrics;
using Granary.Runtime.Invocation;
using Granary.Runtime.Membership;
using Granary.Runtime.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Hosting;

/// <summary>Registers the grain client (the gateway side of the runtime).</summary>
public static class ClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds the grain client: connections to the silos, routing by rendezvous placement,
    /// <see cref="IClusterClient"/> and <see cref="IGrainFactory"/>. Registers (all TryAdd, so
    /// earlier registrations win): <see cref="ClientOptions"/> validated at start
    /// (<see cref="ClientOptions.Validate"/>; a bad value fails start-up naming it),
    /// <see cref="TimeProvider.System"/>, a <see cref="GrainInterfaceRegistry"/> built from every
    /// registered <see cref="GrainInterfaceDescriptor"/> singleton, a
    /// <see cref="StaticMembershipViewProvider"/> over <see cref="ClientOptions.Silos"/> as
    /// <see cref="IMembershipViewProvider"/>, the client as <see cref="IClusterClient"/> and
    /// <see cref="IGrainFactory"/>, and a hosted service that connects on start and, on stop, sends
    /// queued frames, waits briefly for pending answers and closes. The cluster secret is
    /// <see cref="ClientOptions.ClusterSecret"/>, else <c>Granary:ClusterSecret</c> of the host's configuration;
    /// the start fails with <see cref="Messaging.ClusterAuthenticationException"/> when the configured silos
    /// refuse it (and none accepts it). Metrics: meter
    /// <c>Granary.Client</c> with <c>granary.client.calls</c>, <c>granary.client.call_failures</c>
    /// (tag <c>error.type</c>) and <c>granary.client.call_duration</c> (ms).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options (or bind <c>Granary:Client</c> with <c>services.Configure&lt;ClientOptions&gt;</c>).</param>
    public static IServiceCollection AddGranaryClient(this IServiceCollection services, Action<ClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ClientOptions>();
        if (configure is not null)
            options.Configure(configure);
        // The cluster secret: Granary:Client:ClusterSecret when set, else Granary:ClusterSecret (shared with the silos).
        options.PostConfigure<IServiceProvider>((o, sp) => o.ClusterSecret = SiloConnectionHandler.ResolveSecret(o.ClusterSecret, sp));
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClientOptions>, ClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new GrainInterfaceRegistry(sp.GetServices<GrainInterfaceDescriptor>().Distinct()));
        services.TryAddSingleton<IMembershipViewProvider>(sp => new StaticMembershipViewProvider(sp.GetRequiredService<IOptions<ClientOptions>>().Value.ResolvedSilos));
        services.TryAddSingleton(sp => new ClusterClient(
            sp.GetRequiredService<GrainInterfaceRegistry>(),
            sp.GetRequiredService<IMembershipViewProvider>(),
            sp.GetRequiredService<IOptions<ClientOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IMeterFactory>()));
        services.TryAddSingleton<IClusterClient>(sp => sp.GetRequiredService<ClusterClient>());
        services.TryAddSingleton<IGrainFactory>(sp => sp.GetRequiredService<ClusterClient>());
        services.AddHostedService<ClusterClientHostedService>();
        return services;
    }
}
