using Granary.Grains.Contracts;
using Granary.Grains.Health;
using Granary.Grains.RateLimiting;
using Granary.Grains.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace Granary.Grains.Tests;

public sealed class GrainsServiceCollectionExtensionsTests
{
    private static IHost BuildHost(Action<ClientDefaultsOptions>? defaults = null, Action<BucketPersistenceOptions>? persistence = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddGranaryGrains(defaults, persistence);
        return builder.Build();
    }

    [Fact]
    public void AddGranaryGrains_NothingRegistered_RegistersDefaults()
    {
        using var host = BuildHost();

        Assert.IsType<InMemoryClientRegistry>(host.Services.GetRequiredService<IClientRegistry>());
        Assert.IsType<HttpHealthProber>(host.Services.GetRequiredService<IHealthProber>());
        Assert.Same(TimeProvider.System, host.Services.GetRequiredService<TimeProvider>());
        var defaults = host.Services.GetRequiredService<IOptions<ClientDefaultsOptions>>().Value;
        Assert.Equal((100L, 50.0), (defaults.DefaultCapacity, defaults.DefaultRatePerSec));
        Assert.Equal(1000, host.Services.GetRequiredService<IOptions<BucketPersistenceOptions>>().Value.WriteBehindIntervalMs);
    }

    [Fact]
    public void AddGranaryGrains_ServicesAlreadyRegistered_KeepsThem()
    {
        var services = new ServiceCollection();
        var clock = new GrainTimerClock();
        var registry = new InMemoryClientRegistry(clock);
        var prober = new FakeHealthProber();
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<IClientRegistry>(registry);
        services.AddSingleton<IHealthProber>(prober);

        services.AddGranaryGrains();

        using var provider = services.BuildServiceProvider();
        Assert.Same(registry, provider.GetRequiredService<IClientRegistry>());
        Assert.Same(prober, provider.GetRequiredService<IHealthProber>());
        Assert.Same(clock, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public async Task AddGranaryGrains_InvalidDefaults_FailStartNamingProperty()
    {
        using var host = BuildHost(defaults: o => o.DefaultRatePerSec = 0);

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(nameof(ClientDefaultsOptions.DefaultRatePerSec), e.Message);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(1001)]
    public async Task AddGranaryGrains_WriteBehindOutOfRange_FailStartNamingProperty(int intervalMs)
    {
        using var host = BuildHost(persistence: o => o.WriteBehindIntervalMs = intervalMs);

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(nameof(BucketPersistenceOptions.WriteBehindIntervalMs), e.Message);
    }

    [Fact]
    public async Task Silo_GrainsGetTheirServicesFromAddGranaryGrains_Answer()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(GrainStorageNames.Default);
            silo.Services.AddGranaryGrains(o => (o.DefaultCapacity, o.DefaultRatePerSec) = (2, 1));
        });
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var grains = cluster.Client;
        await cluster.GetSiloServiceProvider().GetRequiredService<IClientRegistry>().CreateAsync("vip", new ClientLimits(3, 1));

        var vip = grains.GetGrain<IClientGrain>("vip");
        Assert.Equal(ClientGrain.RegistrySource, (await vip.GetStateAsync()).LimitsSource); // activates (5 s timeout, not the hot path's 1 s)
        for (var i = 0; i < 3; i++)
            Assert.True((await vip.TryAcquireAsync(new AcquireTokens(1))).Admitted);
        Assert.False((await vip.TryAcquireAsync(new AcquireTokens(1))).Admitted);
        var anonymous = await grains.GetGrain<IClientGrain>("10.0.0.1").GetStateAsync();
        Assert.Equal((2L, ClientGrain.DefaultSource), (anonymous.Capacity, anonymous.LimitsSource));

        var backend = grains.GetGrain<IBackendGrain>(BackendKey.For("web", "d1"));
        Assert.Null((await backend.GetDetailsAsync()).Address);
        await backend.ConfigureAsync(new BackendConfig("web", "d1", "http://127.0.0.1:5001/", Weight: 2));
        var status = await backend.ReportInFlightAsync(new InFlightReport("gw1", 5, 10_000));
        Assert.Equal((true, 5L, 2), (status.Configured, status.TotalInFlight, status.Weight));
        Assert.Equal(0, (await grains.GetGrain<IGatewayGrain>("gw1").GetStatsAsync()).ReportedAtUnixMs);
        await grains.GetGrain<IGatewayGrain>("gw1").ReportAsync(new GatewayStats("gw1", 1, false, true, 5, 0));
        Assert.Equal(5, (await grains.GetGrain<IGatewayGrain>("gw1").GetStatsAsync()).InFlight);
    }
}
