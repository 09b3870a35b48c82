using Granary.Grains.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Granary.Silo.Tests;

/// <summary>A silo whose client registry holds 100,000 clients (<c>user0</c> … <c>user99999</c>) and counts its operations.</summary>
public sealed class LargeRegistrySiloFixture : SiloFixture
{
    public const int Clients = 100_000;

    public CountingClientRegistry Registry { get; } = new();

    protected override void ConfigureServices(IServiceCollection services)
    {
        Registry.Seed(Clients);
        services.Replace(ServiceDescriptor.Singleton<IClientRegistry>(Registry));
    }
}
