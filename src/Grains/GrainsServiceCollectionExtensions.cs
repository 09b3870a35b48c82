using Granary.Grains.Contracts;
using Granary.Grains.Health;
using Granary.Grains.RateLimiting;
using Granary.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Granary.Grains;

/// <summary>Registers Granary's grains in a silo host.</summary>
public static class GrainsServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ClientGrain"/>, <see cref="BackendGrain"/> and <see cref="GatewayGrain"/> (with
    /// <see cref="GrainDescriptors.Client"/>, <see cref="GrainDescriptors.Backend"/> and <see cref="GrainDescriptors.Gateway"/>), an <see cref="InMemoryClientRegistry"/> unless another
    /// <see cref="IClientRegistry"/> is registered, an <see cref="HttpHealthProber"/> unless another
    /// <see cref="IHealthProber"/> is, <see cref="TimeProvider.System"/> unless a clock is, and
    /// <see cref="ClientDefaultsOptions"/>, validated at start (a bad value fails start-up naming it).
    /// Call after <c>AddGranarySilo</c>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configureDefaults">Sets the default client limits; bind configuration with <c>services.Configure&lt;ClientDefaultsOptions&gt;(section)</c> as well if wanted.</param>
    public static IServiceCollection AddGranaryGrains(this IServiceCollection services, Action<ClientDefaultsOptions>? configureDefaults = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IClientRegistry>(sp => new InMemoryClientRegistry(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IHealthProber>(_ => new HttpHealthProber());
        var options = services.AddOptions<ClientDefaultsOptions>();
        if (configureDefaults is not null)
            options.Configure(configureDefaults);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClientDefaultsOptions>, ClientDefaultsOptionsValidator>());
        services.AddGrain<ClientGrain>(GrainDescriptors.Client);
        services.AddGrain<BackendGrain>(GrainDescriptors.Backend);
        services.AddGrain<GatewayGrain>(GrainDescriptors.Gateway);
        return services;
    }
}
