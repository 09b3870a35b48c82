using Granary.Grains.Health;
using Granary.Grains.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Granary.Grains;

/// <summary>Registers the services Granary's grains need in a silo host.</summary>
public static class GrainsServiceCollectionExtensions
{
    /// <summary>
    /// Adds what <see cref="ClientGrain"/>, <see cref="BackendGrain"/> and <see cref="GatewayGrain"/>
    /// take from the container (Orleans finds the grain classes themselves in this assembly): an
    /// <see cref="InMemoryClientRegistry"/> unless another <see cref="IClientRegistry"/> is
    /// registered, an <see cref="HttpHealthProber"/> unless another <see cref="IHealthProber"/> is,
    /// <see cref="TimeProvider.System"/> unless a clock is, and <see cref="ClientDefaultsOptions"/> and
    /// <see cref="BucketPersistenceOptions"/>, validated at start (a bad value fails start-up naming it).
    /// The grain storage <see cref="GrainStorageNames.Default"/> is the silo host's to register.
    /// </summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="configureDefaults">Sets the default client limits.</param>
    /// <param name="configurePersistence">Sets the bucket write-behind interval.</param>
    public static IServiceCollection AddGranaryGrains(this IServiceCollection services, Action<ClientDefaultsOptions>? configureDefaults = null,
        Action<BucketPersistenceOptions>? configurePersistence = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IClientRegistry>(sp => new InMemoryClientRegistry(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IHealthProber>(_ => new HttpHealthProber());
        var defaults = services.AddOptions<ClientDefaultsOptions>();
        if (configureDefaults is not null)
            defaults.Configure(configureDefaults);
        defaults.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClientDefaultsOptions>, ClientDefaultsOptionsValidator>());
        var persistence = services.AddOptions<BucketPersistenceOptions>();
        if (configurePersistence is not null)
            persistence.Configure(configurePersistence);
        persistence.Validate(o => o.WriteBehindIntervalMs is >= 10 and <= BucketPersistenceOptions.MaxWriteBehindIntervalMs,
            $"Granary:Silo:{nameof(BucketPersistenceOptions.WriteBehindIntervalMs)} must be 10–{BucketPersistenceOptions.MaxWriteBehindIntervalMs} ms.")
            .ValidateOnStart();
        return services;
    }
}
