using Granary.Grains.Contracts;
using Granary.Grains.Health;
using Granary.Grains.RateLimiting;
using Granary.Runtime;
using Granary.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Granary.Grains.Tests;

public sealed class GrainsServiceCollectionExtensionsTests
{
    private static IHost BuildSilo(Action<ClientDefaultsOptions>? defaults = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddGranarySilo();
        builder.Services.AddGranaryGrains(defaults);
        return builder.Build();
    }

    [Fact]
    public void AddGranaryGrains_RegistersDefaults()
    {
        using var host = BuildSilo();
        Assert.IsType<InMemoryClientRegistry>(host.Services.GetRequiredService<IClientRegistry>());
        Assert.IsType<HttpHealthProber>(host.Services.GetRequiredService<IHealthProber>());
        Assert.Equal(100, host.Services.GetRequiredService<IOptions<ClientDefaultsOptions>>().Value.DefaultCapacity);
    }

    [Fact]
    public void AddGranaryGrains_RegistryAlreadyRegistered_KeepsIt()
    {
        var services = new ServiceCollection();
        var registry = new InMemoryClientRegistry();
        services.AddSingleton<IClientRegistry>(registry);
        services.AddGranaryGrains();
        using var provider = services.BuildServiceProvider();
        Assert.Same(registry, provider.GetRequiredService<IClientRegistry>());
    }

    [Fact]
    public async Task AddGranaryGrains_InvalidDefaults_FailStartNamingProperty()
    {
        using var host = BuildSilo(o => o.DefaultRatePerSec = 0);
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(nameof(ClientDefaultsOptions.DefaultRatePerSec), e.Message);
    }

    [Fact]
    public async Task Silo_GrainsCalledThroughLocalFactory_Answer()
    {
        using var host = BuildSilo(o => (o.DefaultCapacity, o.DefaultRatePerSec) = (2, 1));
        await host.StartAsync();
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var registry = host.Services.GetRequiredService<IClientRegistry>();
            await registry.CreateAsync("vip", new ClientLimits(3, 1));
            var vip = grains.GetGrain<IClientGrain>("vip");
            var anonymous = grains.GetGrain<IClientGrain>("10.0.0.1");
            for (var i = 0; i < 3; i++)
                Assert.True((await vip.TryAcquireAsync(new AcquireTokens(1))).Admitted);
            Assert.False((await vip.TryAcquireAsync(new AcquireTokens(1))).Admitted);
            Assert.Equal((2L, ClientGrain.DefaultSource), ((await anonymous.GetStateAsync()).Capacity, (await anonymous.GetStateAsync()).LimitsSource));

            var backend = grains.GetGrain<IBackendGrain>(BackendKey.For("web", "d1"));
            await backend.ConfigureAsync(new BackendConfig("web", "d1", "http://127.0.0.1:5001/", Weight: 2));
            var status = await backend.ReportInFlightAsync(new InFlightReport("gw1", 5, 10_000));
            Assert.Equal((true, 5L, 2), (status.Configured, status.TotalInFlight, status.Weight));
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
