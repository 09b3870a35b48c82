using System.Diagnostics.Metrics;
using Granary.Runtime.Catalog;
using Granary.Runtime.Hosting;
using Granary.Runtime.Invocation;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.Runtime.Tests.Catalog;

/// <summary>
/// <see cref="SiloOptions.MaxActivations"/> (least-recently-used shedding, then <c>overloaded</c>) and idle
/// deactivation under memory pressure, with a manual clock and an injected memory reading.
/// </summary>
public sealed class ActivationLimitTests
{
    private static readonly TimeSpan CollectionInterval = TimeSpan.FromMilliseconds(TestSilo.CollectionIntervalMs);

    [Fact]
    public async Task HandleAsync_AtMaxActivationsWithIdleOnes_ShedsLeastRecentlyUsedAndActivates()
    {
        using var metrics = new CatalogMetricsProbe();
        await using var silo = await TestSilo.StartAsync(services =>
        {
            metrics.Register(services);
            services.Configure<SiloOptions>(o => { o.MaxActivations = 10; o.ActivationShedPercent = 20; });
        });
        for (var i = 0; i < 10; i++)
            await silo.Grain($"g{i}").EchoAsync(new IntValue(i));
        silo.Time.Advance(CollectionInterval); // dates every call: all ten last called now (t1)
        for (var i = 5; i < 10; i++)
            await silo.Grain($"g{i}").EchoAsync(new IntValue(i));
        silo.Time.Advance(CollectionInterval); // g5..g9 last called at t2; g0..g4 still at t1

        Assert.Equal(7, (await silo.Grain("new").EchoAsync(new IntValue(7))).Value);

        await TestSilo.EventuallyAsync(() => silo.Probe.Deactivations == 2, "two idle activations shed");
        var live = silo.Catalog.GetActivations(TestGrainDescriptor.GrainType).Select(id => id.Key).ToHashSet();
        Assert.Contains("new", live);
        Assert.All(Enumerable.Range(5, 5), i => Assert.Contains($"g{i}", live));
        Assert.Equal(3, Enumerable.Range(0, 5).Count(i => live.Contains($"g{i}")));
        Assert.Equal(9, silo.Catalog.LiveActivations);
        Assert.Equal(2, metrics.Sum("granary.silo.activations.shed|reason=max_activations"));
        Assert.Equal(0, metrics.Sum("granary.silo.activations.refused"));
    }

    [Fact]
    public async Task HandleAsync_AtMaxActivationsNoneIdle_RefusedOverloadedAndCounted()
    {
        using var metrics = new CatalogMetricsProbe();
        await using var silo = await TestSilo.StartAsync(services =>
        {
            metrics.Register(services);
            services.Configure<SiloOptions>(o => o.MaxActivations = 3);
        });
        for (var i = 0; i < 3; i++)
            await silo.Grain($"g{i}").EchoAsync(new IntValue(i));

        var refused = await Assert.ThrowsAsync<GrainCallException>(async () => await silo.Grain("g3").EchoAsync(new IntValue(3)));
        var again = await Assert.ThrowsAsync<GrainCallException>(async () => await silo.Grain("g4").EchoAsync(new IntValue(4)));

        Assert.Equal("overloaded", refused.Code);
        Assert.Contains("maximum of 3 activations", refused.Message, StringComparison.Ordinal);
        Assert.Equal("overloaded", again.Code);
        Assert.Equal(2, metrics.Sum("granary.silo.activations.refused"));
        Assert.Equal(0, metrics.Sum("granary.silo.activations.shed|reason=max_activations"));
        Assert.Equal(3, silo.Catalog.LiveActivations);
        // Existing activations still answer.
        Assert.Equal(1, (await silo.Grain("g1").EchoAsync(new IntValue(1))).Value);
    }

    [Fact]
    public async Task HandleAsync_RefusedThenIdleAfterAShedPass_NextCallActivates()
    {
        using var metrics = new CatalogMetricsProbe();
        await using var silo = await TestSilo.StartAsync(services =>
        {
            metrics.Register(services);
            services.Configure<SiloOptions>(o => { o.MaxActivations = 3; o.CollectionIntervalMs = 60_000; });
        });
        for (var i = 0; i < 3; i++)
            await silo.Grain($"g{i}").EchoAsync(new IntValue(i));
        await Assert.ThrowsAsync<GrainCallException>(async () => await silo.Grain("g3").EchoAsync(new IntValue(3)));
        await silo.Grain("g2").EchoAsync(new IntValue(2)); // g2 stays hot

        silo.Time.Advance(TimeSpan.FromSeconds(1)); // the next shed pass may run; g0 and g1 had no call since the last one

        Assert.Equal(3, (await silo.Grain("g3").EchoAsync(new IntValue(3))).Value);
        await TestSilo.EventuallyAsync(() => silo.Probe.Deactivations == 1, "one idle activation shed (batch of 10% of 3 = at least 1)");
        var live = silo.Catalog.GetActivations(TestGrainDescriptor.GrainType).Select(id => id.Key).ToHashSet();
        Assert.Contains("g2", live);
        Assert.Contains("g3", live);
        Assert.Equal(1, metrics.Sum("granary.silo.activations.shed|reason=max_activations"));
        Assert.Equal(1, metrics.Sum("granary.silo.activations.refused"));
    }

    /// <summary>A silo whose memory readings come from <paramref name="memory"/>: pressure above 80 %, then a 2 s idle timeout.</summary>
    private static Task<TestSilo> StartWithMemoryAsync(CatalogMetricsProbe metrics, FakeMemoryReader memory) =>
        TestSilo.StartAsync(services =>
        {
            metrics.Register(services);
            services.AddSingleton<IMemoryReader>(memory);
            services.Configure<SiloOptions>(o => { o.MemoryPressureFraction = 0.8; o.MemoryPressureIdleTimeoutMs = 2_000; });
        });

    [Fact]
    public async Task Collection_UnderMemoryPressure_ShortensIdleTimeoutAndCounts()
    {
        using var metrics = new CatalogMetricsProbe();
        var memory = new FakeMemoryReader { Reading = new MemoryReading(HeapBytes: 900, AvailableBytes: 1000) };
        await using var silo = await StartWithMemoryAsync(metrics, memory);
        await silo.Grain("idle").EchoAsync(new IntValue(1));

        for (var i = 0; i < 4; i++)
            silo.Time.Advance(CollectionInterval); // 4 s: well below the 10 s idle timeout, above the 2 s one

        await TestSilo.EventuallyAsync(() => silo.Probe.Deactivations == 1, "the idle grain deactivated under pressure");
        Assert.True(silo.Catalog.UnderMemoryPressure);
        Assert.Equal(1, metrics.Sum("granary.silo.activations.shed|reason=memory_pressure"));

        memory.Reading = new MemoryReading(HeapBytes: 100, AvailableBytes: 1000);
        silo.Time.Advance(CollectionInterval);
        Assert.False(silo.Catalog.UnderMemoryPressure);
    }

    [Fact]
    public async Task Collection_NoMemoryPressure_KeepsNormalIdleTimeout()
    {
        using var metrics = new CatalogMetricsProbe();
        var memory = new FakeMemoryReader { Reading = new MemoryReading(HeapBytes: 700, AvailableBytes: 1000) };
        await using var silo = await StartWithMemoryAsync(metrics, memory);
        await silo.Grain("idle").EchoAsync(new IntValue(1));

        for (var i = 0; i < 4; i++)
            silo.Time.Advance(CollectionInterval);

        Assert.False(silo.Catalog.UnderMemoryPressure);
        Assert.Equal(0, silo.Probe.Deactivations);
        Assert.Single(silo.Catalog.GetActivations(TestGrainDescriptor.GrainType));
        Assert.Equal(0, metrics.Sum("granary.silo.activations.shed|reason=memory_pressure"));
    }

    [Theory]
    [InlineData(0, 10, 0.8, 60_000, "MaxActivations")]
    [InlineData(1000, 0, 0.8, 60_000, "ActivationShedPercent")]
    [InlineData(1000, 101, 0.8, 60_000, "ActivationShedPercent")]
    [InlineData(1000, 10, 0.05, 60_000, "MemoryPressureFraction")]
    [InlineData(1000, 10, 1.5, 60_000, "MemoryPressureFraction")]
    [InlineData(1000, 10, 0.8, 10, "MemoryPressureIdleTimeoutMs")]
    public void Validate_LimitOutOfRange_NamesTheOption(int max, int shedPercent, double fraction, int pressureIdleMs, string expected)
    {
        var options = new SiloOptions { MaxActivations = max, ActivationShedPercent = shedPercent, MemoryPressureFraction = fraction, MemoryPressureIdleTimeoutMs = pressureIdleMs };

        var problem = Assert.Single(options.Validate());

        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_Limits_AreDocumentedValues()
    {
        var options = new SiloOptions();

        Assert.Equal(1_000_000, options.MaxActivations);
        Assert.Equal(10, options.ActivationShedPercent);
        Assert.Equal(0.8, options.MemoryPressureFraction);
        Assert.Equal(60_000, options.MemoryPressureIdleTimeoutMs);
        Assert.Empty(new SiloOptions { MemoryPressureFraction = 0 }.Validate());
    }

    private sealed class FakeMemoryReader : IMemoryReader
    {
        public volatile object? Boxed;

        public MemoryReading Reading
        {
            get => (MemoryReading)Boxed!;
            set => Boxed = value;
        }

        public MemoryReading Read() => Reading;
    }

    /// <summary>Sums the catalog's counters recorded through a meter factory of its own, given to the silo.</summary>
    private sealed class CatalogMetricsProbe : IDisposable
    {
        private readonly ServiceProvider _metricsServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _sums = [];

        public CatalogMetricsProbe()
        {
            var factory = _metricsServices.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory))
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                var key = instrument.Name;
                foreach (var tag in tags)
                    key += $"|{tag.Key}={tag.Value}";
                lock (_sums)
                    _sums[key] = _sums.GetValueOrDefault(key) + value;
            });
            _listener.Start();
        }

        public void Register(IServiceCollection services) =>
            services.AddSingleton(_metricsServices.GetRequiredService<IMeterFactory>());

        public long Sum(string key)
        {
            lock (_sums)
                return _sums.GetValueOrDefault(key);
        }

        public void Dispose()
        {
            _listener.Dispose();
            _metricsServices.Dispose();
        }
    }
}
