using Granary.Grains.Contracts;
using Granary.Grains.Health;
using Granary.Grains.Tests.Fakes;
using Granary.Runtime;
using Granary.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Grains.Tests;

public sealed class BackendGrainTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly FakeHealthProber _prober = new();
    private readonly FakeGrainContext _context;

    public BackendGrainTests() => _context = new FakeGrainContext(new GrainId(GrainDescriptors.BackendGrainType, BackendKey.For("web", "d1")), _time);

    private static BackendConfig Config(string? healthPath = null, int fall = 3, int rise = 2, int consecutiveFailures = 5, int baseEjectionMs = 30_000, int weight = 1) =>
        new("web", "d1", "http://127.0.0.1:5001/", weight, healthPath, ProbeIntervalMs: 2000, ProbeTimeoutMs: 1000, rise, fall, consecutiveFailures, baseEjectionMs);

    private Task<BackendGrain> ActivateAsync() => _context.ActivateAsync(new BackendGrain(_prober, NullLogger<BackendGrain>.Instance));

    private static RequestOutcome Outcome(OutcomeKind kind, double latencyMs = 10, string gateway = "gw1", int inFlight = 0) =>
        new(gateway, inFlight, 10_000, latencyMs, kind);

    /// <summary>Fires the probe timer and applies the probe's posted result.</summary>
    private async Task ProbeAsync(ProbeResult result)
    {
        _prober.Next = result;
        await _context.ActiveTimers.Single().FireAsync();
        await _context.RunNextPostedAsync();
    }

    [Fact]
    public async Task GetStatus_BeforeConfigure_NotConfiguredButHealthy()
    {
        var grain = await ActivateAsync();
        var status = await grain.GetStatusAsync();
        Assert.False(status.Configured);
        Assert.True(status.Healthy);
        Assert.Equal(1, status.Weight);
        var details = await grain.GetDetailsAsync();
        Assert.Equal(("web", "d1", (string?)null), (details.ClusterId, details.DestinationId, details.Address));
    }

    [Fact]
    public async Task Configure_SetsWeightAndConfigured()
    {
        var grain = await ActivateAsync();
        var status = await grain.ConfigureAsync(Config(weight: 7));
        Assert.True(status.Configured);
        Assert.Equal(7, status.Weight);
        Assert.Empty(_context.Timers); // no health path, no probing
        Assert.Equal("http://127.0.0.1:5001/", (await grain.GetDetailsAsync()).Address);
    }

    [Theory]
    [InlineData(0, 2000, "Weight")]
    [InlineData(1, 10, "ProbeIntervalMs")]
    public async Task Configure_OutOfRange_ThrowsNamingSetting(int weight, int interval, string setting)
    {
        var grain = await ActivateAsync();
        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await grain.ConfigureAsync(Config(weight: weight) with { ProbeIntervalMs = interval }));
        Assert.Contains(setting, e.Message);
    }

    [Fact]
    public async Task ReportInFlight_SeveralGateways_SumsAbsoluteContributions()
    {
        var grain = await ActivateAsync();
        await grain.ReportInFlightAsync(new InFlightReport("gw1", 3, 5000));
        await grain.ReportInFlightAsync(new InFlightReport("gw2", 4, 5000));
        Assert.Equal(7, (await grain.ReportInFlightAsync(new InFlightReport("gw1", 3, 5000))).TotalInFlight); // idempotent re-send
        Assert.Equal(5, (await grain.ReportInFlightAsync(new InFlightReport("gw1", 1, 5000))).TotalInFlight);
        Assert.Equal(4, (await grain.ReportOutcomeAsync(Outcome(OutcomeKind.Success, gateway: "gw1", inFlight: 0))).TotalInFlight);
    }

    [Fact]
    public async Task ReportInFlight_LeaseExpires_ContributionDropped()
    {
        var grain = await ActivateAsync();
        await grain.ReportInFlightAsync(new InFlightReport("gw1", 3, 1000));
        await grain.ReportInFlightAsync(new InFlightReport("gw2", 4, 5000));
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(7, (await grain.GetStatusAsync()).TotalInFlight);
        var details = await grain.GetDetailsAsync();
        Assert.Equal([new InFlightContribution("gw1", 3, 1), new InFlightContribution("gw2", 4, 4001)], details.Contributions);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(4, (await grain.GetStatusAsync()).TotalInFlight);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, (await grain.GetStatusAsync()).TotalInFlight);
        Assert.Empty((await grain.GetDetailsAsync()).Contributions);
    }

    [Fact]
    public async Task ReportInFlight_Renewal_ExtendsLease()
    {
        var grain = await ActivateAsync();
        await grain.ReportInFlightAsync(new InFlightReport("gw1", 2, 1000));
        _time.Advance(TimeSpan.FromMilliseconds(800));
        await grain.ReportInFlightAsync(new InFlightReport("gw1", 2, 1000));
        _time.Advance(TimeSpan.FromMilliseconds(800));
        Assert.Equal(2, (await grain.GetStatusAsync()).TotalInFlight);
    }

    [Theory]
    [InlineData("", 1, 1000)]
    [InlineData("gw", -1, 1000)]
    [InlineData("gw", 1, 0)]
    [InlineData("gw", 1, 600_001)]
    public async Task ReportInFlight_Invalid_Throws(string gateway, int inFlight, int leaseMs)
    {
        var grain = await ActivateAsync();
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await grain.ReportInFlightAsync(new InFlightReport(gateway, inFlight, leaseMs)));
    }

    [Fact]
    public async Task ReportOutcome_Successes_FeedEwmaAndCounts()
    {
        var grain = await ActivateAsync();
        await grain.ReportOutcomeAsync(Outcome(OutcomeKind.Success, latencyMs: 100));
        await grain.ReportOutcomeAsync(Outcome(OutcomeKind.ServerError, latencyMs: 5000));
        var status = await grain.ReportOutcomeAsync(Outcome(OutcomeKind.Canceled, latencyMs: 9000));
        Assert.Equal(100, status.EwmaLatencyMs);
        Assert.Equal(3, status.Requests);
        Assert.Equal(1, status.Failures);
    }

    [Fact]
    public async Task ReportOutcome_ConsecutiveFailures_EjectsThenReturnsAfterEjectionTime()
    {
        var grain = await ActivateAsync();
        await grain.ConfigureAsync(Config(consecutiveFailures: 2, baseEjectionMs: 1000));
        Assert.True((await grain.ReportOutcomeAsync(Outcome(OutcomeKind.ConnectFailure))).Healthy);
        var status = await grain.ReportOutcomeAsync(Outcome(OutcomeKind.ServerError));
        Assert.False(status.Healthy);
        Assert.True(status.Ejected);
        Assert.True(status.ActiveHealthy);
        var details = await grain.GetDetailsAsync();
        Assert.Contains("2 consecutive failures", details.HealthReason);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), details.HealthChangedUnixMs);
        Assert.Equal(1, details.Ejections);

        _time.Advance(TimeSpan.FromSeconds(1));
        status = await grain.GetStatusAsync();
        Assert.True(status.Healthy);
        Assert.False(status.Ejected);
        details = await grain.GetDetailsAsync();
        Assert.Equal("ejection of 1000 ms ended", details.HealthReason);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), details.HealthChangedUnixMs);
    }

    [Fact]
    public async Task Configure_WithHealthPath_RegistersProbeTimerAtInterval()
    {
        var grain = await ActivateAsync();
        await grain.ConfigureAsync(Config(healthPath: "/healthz"));
        var timer = Assert.Single(_context.Timers);
        Assert.Equal(TimeSpan.FromSeconds(2), timer.Period);
        await ProbeAsync(ProbeResult.Healthy("HTTP 200"));
        Assert.True(_prober.Probes.TryDequeue(out var probe));
        Assert.Equal(new Uri("http://127.0.0.1:5001/healthz"), probe.Uri);
        Assert.Equal(TimeSpan.FromSeconds(1), probe.Timeout);
    }

    [Fact]
    public async Task Configure_SameConfigAgain_KeepsTimerAndHealth()
    {
        var grain = await ActivateAsync();
        await grain.ConfigureAsync(Config(healthPath: "/healthz", fall: 1));
        await ProbeAsync(ProbeResult.Unhealthy("HTTP 503"));
        var status = await grain.ConfigureAsync(Config(healthPath: "/healthz", fall: 1));
        Assert.False(status.ActiveHealthy);
        Assert.Single(_context.Timers);
    }

    [Fact]
    public async Task Configure_HealthPathRemoved_StopsProbingAndHealthy()
    {
        var grain = await ActivateAsync();
        await grain.ConfigureAsync(Config(healthPath: "/healthz", fall: 1));
        await ProbeAsync(ProbeResult.Unhealthy("HTTP 503"));
        var status = await grain.ConfigureAsync(Config(healthPath: null));
        Assert.True(status.Healthy);
        Assert.Empty(_context.ActiveTimers);
        Assert.Equal("active probing disabled", (await grain.GetDetailsAsync()).HealthReason);
    }

    [Fact]
    public async Task ProbeTimer_FailuresPostedBack_FlipHealthAfterFallWithReason()
    {
        var grain = await ActivateAsync();
        await grain.ConfigureAsync(Config(healthPath: "/healthz", fall: 3, rise: 2));
        await ProbeAsync(ProbeResult.Unhealthy("connection refused"));
        await ProbeAsync(ProbeResult.Unhealthy("connection refused"));
        Assert.True((await grain.GetStatusAsync()).Healthy);
        _time.Advance(TimeSpan.FromSeconds(5));
        await ProbeAsync(ProbeResult.Unhealthy("connection refused"));
        var status = await grain.GetStatusAsync();
        Assert.False(status.Healthy);
        Assert.False(status.ActiveHealthy);
        Assert.False(status.Ejected);
        var details = await grain.GetDetailsAsync();
        Assert.Equal("3 consecutive probe failures: connection refused", details.HealthReason);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), details.HealthChangedUnixMs);

        await ProbeAsync(ProbeResult.Healthy("HTTP 200"));
        Assert.False((await grain.GetStatusAsync()).Healthy);
        await ProbeAsync(ProbeResult.Healthy("HTTP 200"));
        Assert.True((await grain.GetStatusAsync()).Healthy);
        Assert.Equal("2 consecutive probe successes", (await grain.GetDetailsAsync()).HealthReason);
    }

    [Fact]
    public async Task ProbeTimer_ProbeOutstanding_DoesNotStartAnother()
    {
        var grain = await ActivateAsync();
        await grain.ConfigureAsync(Config(healthPath: "/healthz", fall: 1));
        var pending = new TaskCompletionSource<ProbeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _prober.Pending = pending;
        var timer = _context.ActiveTimers.Single();
        await timer.FireAsync(); // returns at once: the probe runs outside the turn
        await WaitUntilAsync(() => _prober.Calls == 1);
        await timer.FireAsync();
        await timer.FireAsync();
        Assert.True((await grain.GetStatusAsync()).Healthy); // the grain still answers while the probe hangs
        pending.SetResult(ProbeResult.Unhealthy("timeout after 1000 ms"));
        await _context.RunNextPostedAsync();
        Assert.Equal(1, _prober.Calls);
        Assert.False((await grain.GetStatusAsync()).Healthy);
        _prober.Pending = null;
        await ProbeAsync(ProbeResult.Healthy("HTTP 200"));
        Assert.Equal(2, _prober.Calls);
    }

    [Fact]
    public async Task ProbeTimer_ProberThrows_CountsAsFailure()
    {
        var grain = await ActivateAsync();
        await grain.ConfigureAsync(Config(healthPath: "/healthz", fall: 1));
        var pending = new TaskCompletionSource<ProbeResult>();
        pending.SetException(new InvalidOperationException("boom"));
        _prober.Pending = pending;
        await _context.ActiveTimers.Single().FireAsync();
        await _context.RunNextPostedAsync();
        var details = await grain.GetDetailsAsync();
        Assert.False(details.Status.Healthy);
        Assert.Equal("1 consecutive probe failures: boom", details.HealthReason);
    }

    [Fact]
    public async Task Deactivate_DisposesProbeTimer()
    {
        var grain = await ActivateAsync();
        await grain.ConfigureAsync(Config(healthPath: "/healthz"));
        await grain.OnDeactivateAsync(DeactivationReason.IdleTimeout, CancellationToken.None);
        Assert.Empty(_context.ActiveTimers);
    }

    [Fact]
    public async Task Healthy_RequiresActiveUpAndNotEjected()
    {
        var grain = await ActivateAsync();
        await grain.ConfigureAsync(Config(healthPath: "/healthz", fall: 1, rise: 1, consecutiveFailures: 1, baseEjectionMs: 10_000));
        await ProbeAsync(ProbeResult.Unhealthy("HTTP 500"));
        var status = await grain.ReportOutcomeAsync(Outcome(OutcomeKind.ServerError));
        Assert.Equal((false, false, true), (status.Healthy, status.ActiveHealthy, status.Ejected));
        await ProbeAsync(ProbeResult.Healthy("HTTP 200"));
        status = await grain.GetStatusAsync();
        Assert.Equal((false, true, true), (status.Healthy, status.ActiveHealthy, status.Ejected));
        _time.Advance(TimeSpan.FromSeconds(10));
        status = await grain.GetStatusAsync();
        Assert.Equal((true, true, false), (status.Healthy, status.ActiveHealthy, status.Ejected));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task GetDetails_100ReportsInOneSecond_RateP99AndOneSample()
    {
        var grain = await ActivateAsync();
        var start = _time.GetUtcNow().ToUnixTimeMilliseconds();
        await grain.ConfigureAsync(Config() with { Policy = "LeastTime" });
        for (var i = 1; i <= 100; i++)
        {
            await grain.ReportOutcomeAsync(Outcome(i % 10 == 0 ? OutcomeKind.ServerError : OutcomeKind.Success, latencyMs: i));
            _time.Advance(TimeSpan.FromMilliseconds(9));
        }
        _time.Advance(TimeSpan.FromMilliseconds(100)); // 1 s after activation

        var details = await grain.GetDetailsAsync();

        Assert.Equal("LeastTime", details.Policy);
        Assert.Equal(100, details.RequestsPerSec);
        Assert.InRange(details.P99LatencyMs, 99 / 1.0906, 99 * 1.0906); // every outcome counts, failures included
        Assert.Equal([new BackendSample(start, 100, 50.5)], details.History);
    }

    [Fact]
    public async Task GetDetails_TrafficStops_RateDecaysOverFiveSecondsAndP99After60()
    {
        var grain = await ActivateAsync();
        for (var second = 0; second < 10; second++)
        {
            for (var i = 0; i < 20; i++)
                await grain.ReportOutcomeAsync(Outcome(OutcomeKind.Success, latencyMs: 30));
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal((20.0, 30.0), ((await grain.GetDetailsAsync()).RequestsPerSec, (await grain.GetDetailsAsync()).P99LatencyMs));

        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(8, (await grain.GetDetailsAsync()).RequestsPerSec); // 2 of the last 5 seconds had traffic
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, (await grain.GetDetailsAsync()).RequestsPerSec);
        Assert.Equal(30, (await grain.GetDetailsAsync()).P99LatencyMs);
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(0, (await grain.GetDetailsAsync()).P99LatencyMs);
    }

    [Fact]
    public async Task GetDetails_200Seconds_OneSamplePerSecondAtMost180()
    {
        var grain = await ActivateAsync();
        var start = _time.GetUtcNow().ToUnixTimeMilliseconds();
        for (var second = 0; second < 200; second++)
        {
            for (var i = 0; i < second % 4; i++)
                await grain.ReportOutcomeAsync(Outcome(OutcomeKind.Success, latencyMs: second));
            _time.Advance(TimeSpan.FromSeconds(1));
            if (second == 2)
                Assert.Equal(3, (await grain.GetDetailsAsync()).History.Count);
        }

        var history = (await grain.GetDetailsAsync()).History;

        Assert.Equal(BackendDetails.MaxHistory, history.Count);
        Assert.Equal(Enumerable.Range(20, 180).Select(s => start + (s * 1000L)), history.Select(h => h.UnixMs));
        Assert.All(history, h =>
        {
            var second = (int)((h.UnixMs - start) / 1000);
            Assert.Equal(second % 4, h.RequestsPerSec);
            Assert.Equal(second % 4 == 0 ? 0 : second, h.LatencyMs);
        });
    }

    [Fact]
    public async Task GetDetails_FreshActivation_NoTrafficFigures()
    {
        var grain = await ActivateAsync();

        var details = await grain.GetDetailsAsync();

        Assert.Equal(((string?)null, 0.0, 0.0), (details.Policy, details.RequestsPerSec, details.P99LatencyMs));
        Assert.Empty(details.History);
    }
}
