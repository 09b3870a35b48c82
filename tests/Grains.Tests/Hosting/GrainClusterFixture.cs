using Granary.Grains.Contracts;
using Granary.Grains.Health;
using Granary.Grains.RateLimiting;
using Granary.Grains.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.TestingHost;

namespace Granary.Grains.Tests.Hosting;

/// <summary>
/// One Orleans silo in the test process (<see cref="InProcessTestCluster"/>, in-memory transport)
/// running Granary's real grains as the silo host registers them (<c>AddGranaryGrains</c>), with
/// the test's clock, health prober and client registry in the silo's services, and Orleans's
/// memory grain storage as <see cref="GrainStorageNames.Default"/>. Tests call the grains through
/// the cluster's client, so every argument and result crosses Orleans's serializer. Shared by the
/// tests of one class (each test uses its own grain keys); the clock drives the grains' own time
/// arithmetic and their timers, while Orleans's maintenance loops stay on real time.
/// </summary>
public class GrainClusterFixture : IAsyncLifetime
{
    /// <summary>Capacity of clients the registry does not know, tokens: 10.</summary>
    public const long DefaultCapacity = 10;

    /// <summary>Refill rate of clients the registry does not know, tokens/s: 1.</summary>
    public const double DefaultRatePerSec = 1;

    /// <summary>The bucket write-behind interval, ms: 1000 (the default and the maximum).</summary>
    public const int WriteBehindIntervalMs = 1000;

    private InProcessTestCluster? _cluster;

    public GrainClusterFixture() => Registry = new InMemoryClientRegistry(Clock);

    /// <summary>The silo's clock (the grains' <see cref="TimeProvider"/> and grain timers).</summary>
    public GrainTimerClock Clock { get; } = new();

    /// <summary>The silo's health prober.</summary>
    public FakeHealthProber Prober { get; } = new();

    /// <summary>The silo's client registry.</summary>
    public InMemoryClientRegistry Registry { get; }

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not started.");

    /// <summary>The cluster's client: calls cross the in-memory transport, serialized.</summary>
    public IGrainFactory Grains => Cluster.Client;

    /// <summary>True while <paramref name="grain"/> has an activation in the cluster.</summary>
    public bool IsActive(IAddressable grain) => Cluster.TryGetGrainContext(grain.GetGrainId(), out _);

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            // The test clock is the default clock (grains and grain timers); Orleans's own loops keep real time.
            silo.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
            silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            silo.Services.AddSingleton<IClientRegistry>(Registry);
            silo.Services.AddSingleton<IHealthProber>(Prober);
            ConfigureStorage(silo);
            silo.Services.AddGranaryGrains(
                o => (o.DefaultCapacity, o.DefaultRatePerSec) = (DefaultCapacity, DefaultRatePerSec),
                o => o.WriteBehindIntervalMs = WriteBehindIntervalMs);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        await WarmUpAsync();
    }

    /// <summary>
    /// Calls each grain type once (key <c>warm-up</c>) so that JIT and first activations are paid
    /// here, not by a test's first hot-path call (1 s response timeout) on a loaded 2-core machine.
    /// </summary>
    private async Task WarmUpAsync()
    {
        const string key = "warm-up";
        await Grains.GetGrain<IClientGrain>(key).GetStateAsync();
        await Grains.GetGrain<IBackendGrain>(BackendKey.For(key, key)).GetDetailsAsync();
        await Grains.GetGrain<IGatewayGrain>(key).GetStatsAsync();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Grains.GetGrain<IClientGrain>(key).TryAcquireAsync(new AcquireTokens(1));
                await Grains.GetGrain<IClientGrain>(key).LeaseTokensAsync(new LeaseTokens(1, 0));
                await Grains.GetGrain<IBackendGrain>(BackendKey.For(key, key)).ReportInFlightAsync(new InFlightReport(key, 0, 1000));
                await Grains.GetGrain<IBackendGrain>(BackendKey.For(key, key)).ReportOutcomeAsync(new RequestOutcome(key, 0, 1000, 1, OutcomeKind.Success));
                await Grains.GetGrain<IGatewayGrain>(key).ReportAsync(new GatewayStats(key, 0, false, true, 0, 0));
                return;
            }
            catch (TimeoutException) when (attempt < 3)
            {
                // Still cold: the call goes on in the silo; the next attempt finds it warm.
            }
        }
    }

    /// <summary>
    /// Stops the silo while the test clock runs (1 s per 5 ms): Orleans's placement retries
    /// (Polly) wait on the default clock, and at shutdown the last bucket writes of dirty client
    /// grains retry placing memory-storage grains that are already gone. On a frozen clock those
    /// retries would hold the shutdown until its 30 s limit.
    /// </summary>
    public async Task DisposeAsync()
    {
        if (_cluster is null)
            return;
        using var stopped = new CancellationTokenSource();
        var ticking = Task.Run(async () =>
        {
            while (!stopped.IsCancellationRequested)
            {
                Clock.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(5, CancellationToken.None);
            }
        });
        try
        {
            await _cluster.DisposeAsync();
        }
        finally
        {
            await stopped.CancelAsync();
            await ticking;
        }
    }

    /// <summary>Registers grain storage <see cref="GrainStorageNames.Default"/>: Orleans's memory storage.</summary>
    protected virtual void ConfigureStorage(ISiloBuilder silo) => silo.AddMemoryGrainStorage(GrainStorageNames.Default);
}
