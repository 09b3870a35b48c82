using Granary.Grains.Contracts;
using Granary.Grains.Health;
using Granary.Grains.Tests.Fakes;
using Granary.Grains.Tests.Hosting;

namespace Granary.Grains.Tests;

/// <summary>The backend grain on an Orleans silo: each test uses its own destination (grain key and probe URI).</summary>
public sealed class BackendGrainTests(GrainClusterFixture fixture) : IClassFixture<GrainClusterFixture>
{
    private const int ProbeIntervalMs = 2000;

    private GrainTimerClock Clock => fixture.Clock;

    private FakeHealthProber Prober => fixture.Prober;

    private IBackendGrain Backend(string destination) => fixture.Grains.GetGrain<IBackendGrain>(BackendKey.For("web", destination));

    private static string Address(string destination) => $"http://127.0.0.1:5001/{destination}/";

    private static Uri ProbeUri(string destination) => new($"{Address(destination)}healthz");

    private static BackendConfig Config(string destination, string? healthPath = null, int fall = 3, int rise = 2, int consecutiveFailures = 5, int baseEjectionMs = 30_000, int weight = 1) =>
        new("web", destination, Address(destination), weight, healthPath, ProbeIntervalMs, ProbeTimeoutMs: 1000, rise, fall, consecutiveFailures, baseEjectionMs);

    private static RequestOutcome Outcome(OutcomeKind kind, double latencyMs = 10, string gateway = "gw1", int inFlight = 0) =>
        new(gateway, inFlight, 10_000, latencyMs, kind);

    /// <summary>
    /// Configures <paramref name="destination"/> with health path <c>healthz</c>: its probe timer
    /// is due at once, so the first probe (answered <paramref name="first"/>) runs before the clock
    /// moves. Returns once that tick finished.
    /// </summary>
    private async Task<IBackendGrain> ConfigureProbedAsync(string destination, ProbeResult first, int fall = 3, int rise = 2, int consecutiveFailures = 5, int baseEjectionMs = 30_000)
    {
        var grain = Backend(destination);
        var uri = ProbeUri(destination);
        Prober.Answer(uri, first);
        var now = Clock.GetTimestamp();
        await grain.ConfigureAsync(Config(destination, healthPath: "healthz", fall, rise, consecutiveFailures, baseEjectionMs));
        await Wait.UntilAsync(() => Prober.CallsTo(uri) == 1, $"the first probe of {uri}");
        await Clock.WaitUntilArmedAsync(grain.GetGrainId());
        Assert.Equal(now, Clock.GetTimestamp());
        return grain;
    }

    /// <summary>
    /// Fires the destination's probe timer once with the prober answering <paramref name="result"/>,
    /// and returns once that tick finished (its result applied, the timer re-armed).
    /// </summary>
    /// <returns>How long the clock moved until the tick was due.</returns>
    private async Task<TimeSpan> ProbeAsync(string destination, ProbeResult result)
    {
        var id = Backend(destination).GetGrainId();
        var uri = ProbeUri(destination);
        Prober.Answer(uri, result);
        var calls = Prober.CallsTo(uri);
        var waited = await Clock.FireNextAsync(id);
        await Wait.UntilAsync(() => Prober.CallsTo(uri) == calls + 1, $"probe {calls + 1} of {uri}");
        await Clock.WaitUntilArmedAsync(id);
        return waited;
    }

    /// <summary>Moves the clock to the start of the next whole Unix second (the traffic window counts whole seconds), unless it is at one.</summary>
    private void AlignToSecond()
    {
        var intoSecond = Clock.UnixMs % 1000;
        if (intoSecond != 0)
            Clock.Advance(TimeSpan.FromMilliseconds(1000 - intoSecond));
    }

    [Fact]
    public async Task GetStatus_BeforeConfigure_NotConfiguredButHealthy()
    {
        var grain = Backend("unconfigured");

        var status = await grain.GetStatusAsync();

        Assert.Equal(new BackendStatus(false, true, true, false, 0, 0, 1, 0, 0), status);
        var details = await grain.GetDetailsAsync();
        Assert.Equal(("web", "unconfigured", (string?)null), (details.ClusterId, details.DestinationId, details.Address));
    }

    [Fact]
    public async Task Configure_SetsWeightAndConfigured()
    {
        var grain = Backend("weighted");

        var status = await grain.ConfigureAsync(Config("weighted", weight: 7));

        Assert.Equal(new BackendStatus(true, true, true, false, 0, 0, 7, 0, 0), status);
        Assert.Equal(0, Clock.TimerCount(grain.GetGrainId())); // no health path, no probing
        Assert.Equal(Address("weighted"), (await grain.GetDetailsAsync()).Address);
    }

    [Theory]
    [InlineData(0, 2000, "Weight")]
    [InlineData(1001, 2000, "Weight")]
    [InlineData(1, 10, "ProbeIntervalMs")]
    public async Task Configure_OutOfRange_ThrowsNamingSetting(int weight, int interval, string setting)
    {
        var grain = Backend($"invalid-{setting}-{weight}");

        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await grain.ConfigureAsync(Config("invalid", weight: weight) with { ProbeIntervalMs = interval }));

        Assert.Contains(setting, e.Message);
        Assert.False((await grain.GetStatusAsync()).Configured);
    }

    [Fact]
    public async Task ReportInFlight_SeveralGateways_SumsAbsoluteContributions()
    {
        var grain = Backend("sum");
        await grain.ReportInFlightAsync(new InFlightReport("gw1", 3, 5000));
        await grain.ReportInFlightAsync(new InFlightReport("gw2", 4, 5000));

        Assert.Equal(7, (await grain.ReportInFlightAsync(new InFlightReport("gw1", 3, 5000))).TotalInFlight); // idempotent re-send
        Assert.Equal(5, (await grain.ReportInFlightAsync(new InFlightReport("gw1", 1, 5000))).TotalInFlight);
        Assert.Equal(4, (await grain.ReportOutcomeAsync(Outcome(OutcomeKind.Success, gateway: "gw1", inFlight: 0))).TotalInFlight);
    }

    [Fact]
    public async Task ReportInFlight_LeaseExpires_ContributionDropped()
    {
        var grain = Backend("lease");
        await grain.ReportInFlightAsync(new InFlightReport("gw1", 3, 1000));
        await grain.ReportInFlightAsync(new InFlightReport("gw2", 4, 5000));

        Clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(7, (await grain.GetStatusAsync()).TotalInFlight);
        Assert.Equal([new InFlightContribution("gw1", 3, 1), new InFlightContribution("gw2", 4, 4001)], (await grain.GetDetailsAsync()).Contributions);
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(4, (await grain.GetStatusAsync()).TotalInFlight); // gw1 died: its requests leak nothing
        Clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, (await grain.GetStatusAsync()).TotalInFlight);
        Assert.Empty((await grain.GetDetailsAsync()).Contributions);
    }

    [Fact]
    public async Task ReportInFlight_Renewal_ExtendsLease()
    {
        var grain = Backend("renewal");
        await grain.ReportInFlightAsync(new InFlightReport("gw1", 2, 1000));
        Clock.Advance(TimeSpan.FromMilliseconds(800));
        await grain.ReportInFlightAsync(new InFlightReport("gw1", 2, 1000));
        Clock.Advance(TimeSpan.FromMilliseconds(800));

        Assert.Equal(2, (await grain.GetStatusAsync()).TotalInFlight);
    }

    [Theory]
    [InlineData("", 1, 1000)]
    [InlineData("gw", -1, 1000)]
    [InlineData("gw", 1, 0)]
    [InlineData("gw", 1, 600_001)]
    public async Task ReportInFlight_Invalid_Throws(string gateway, int inFlight, int leaseMs)
    {
        var grain = Backend("invalid-report");

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await grain.ReportInFlightAsync(new InFlightReport(gateway, inFlight, leaseMs)));

        Assert.Equal(0, (await grain.GetStatusAsync()).TotalInFlight);
    }

    [Fact]
    public async Task Reactivation_NextReportsRefillInFlight_NoStateTransfer()
    {
        var grain = Backend("reactivated");
        await grain.ConfigureAsync(Config("reactivated"));
        await grain.ReportInFlightAsync(new InFlightReport("gw1", 3, 5000));
        await grain.ReportInFlightAsync(new InFlightReport("gw2", 4, 5000));

        await fixture.Cluster.DeactivateAsync(grain);
        var fresh = await grain.GetStatusAsync();
        await grain.ReportInFlightAsync(new InFlightReport("gw1", 3, 5000));
        var refilled = await grain.ReportInFlightAsync(new InFlightReport("gw2", 4, 5000));

        Assert.Equal((false, 0L), (fresh.Configured, fresh.TotalInFlight));
        Assert.Equal(7, refilled.TotalInFlight);
    }

    [Fact]
    public async Task ReportOutcome_Successes_FeedEwmaAndCounts()
    {
        var grain = Backend("ewma");
        await grain.ReportOutcomeAsync(Outcome(OutcomeKind.Success, latencyMs: 100));
        await grain.ReportOutcomeAsync(Outcome(OutcomeKind.ServerError, latencyMs: 5000));

        var status = await grain.ReportOutcomeAsync(Outcome(OutcomeKind.Canceled, latencyMs: 9000));

        Assert.Equal((100.0, 3L, 1L), (status.EwmaLatencyMs, status.Requests, status.Failures));
    }

    [Fact]
    public async Task ReportOutcome_ConsecutiveFailures_EjectsThenReturnsAfterEjectionTime()
    {
        var grain = Backend("ejected");
        await grain.ConfigureAsync(Config("ejected", consecutiveFailures: 2, baseEjectionMs: 1000));
        Assert.True((await grain.ReportOutcomeAsync(Outcome(OutcomeKind.ConnectFailure))).Healthy);

        var status = await grain.ReportOutcomeAsync(Outcome(OutcomeKind.ServerError));

        Assert.Equal((false, true, true), (status.Healthy, status.ActiveHealthy, status.Ejected));
        var details = await grain.GetDetailsAsync();
        Assert.Contains("2 consecutive failures", details.HealthReason);
        Assert.Equal(Clock.UnixMs, details.HealthChangedUnixMs);
        Assert.Equal(1, details.Ejections);

        Clock.Advance(TimeSpan.FromSeconds(1));
        status = await grain.GetStatusAsync();
        Assert.Equal((true, false), (status.Healthy, status.Ejected));
        details = await grain.GetDetailsAsync();
        Assert.Equal("ejection of 1000 ms ended", details.HealthReason);
        Assert.Equal(Clock.UnixMs, details.HealthChangedUnixMs);
    }

    [Fact]
    public async Task GetDetails_Ejected_DownReasonNamesTheCauseLengthAndTimeLeftUntilItEnds()
    {
        var grain = Backend("down-ejected");
        await grain.ConfigureAsync(Config("down-ejected", consecutiveFailures: 2, baseEjectionMs: 30_000));
        Assert.Equal(("", 0L), ((await grain.GetDetailsAsync()).DownReason, (await grain.GetDetailsAsync()).DownSinceUnixMs));
        await grain.ReportOutcomeAsync(Outcome(OutcomeKind.ConnectFailure));
        await grain.ReportOutcomeAsync(Outcome(OutcomeKind.ServerError));
        var ejectedAt = Clock.UnixMs;

        var details = await grain.GetDetailsAsync();
        Clock.Advance(TimeSpan.FromSeconds(12));
        var later = await grain.GetDetailsAsync();
        Clock.Advance(TimeSpan.FromSeconds(18));
        var ended = await grain.GetDetailsAsync();

        Assert.Equal("ejected: 2 consecutive failures (last: ServerError), 30 s (30 s left)", details.DownReason);
        Assert.Equal(ejectedAt, details.DownSinceUnixMs);
        Assert.Equal("ejected: 2 consecutive failures (last: ServerError), 30 s (18 s left)", later.DownReason);
        Assert.Equal(ejectedAt, later.DownSinceUnixMs);
        Assert.True(ended.Status.Healthy);
        Assert.Equal(("", 0L), (ended.DownReason, ended.DownSinceUnixMs));
        Assert.Equal("ejection of 30000 ms ended", ended.HealthReason);
    }

    [Fact]
    public async Task GetDetails_EjectionEndsWhileActiveCheckFails_DownReasonIsTheActiveCheckNotTheLastChange()
    {
        var grain = await ConfigureProbedAsync("down-both", ProbeResult.Unhealthy("connection refused"), fall: 1, consecutiveFailures: 2, baseEjectionMs: 1000);
        var downAt = Clock.UnixMs;
        await grain.ReportOutcomeAsync(Outcome(OutcomeKind.ConnectFailure));
        await grain.ReportOutcomeAsync(Outcome(OutcomeKind.ConnectFailure));
        var both = await grain.GetDetailsAsync();

        Clock.Advance(TimeSpan.FromSeconds(1)); // the ejection ends; the probe (every 2 s) is not due yet
        var activeOnly = await grain.GetDetailsAsync();

        Assert.Equal("active check failed: connection refused (1 in a row); ejected: 2 consecutive failures (last: ConnectFailure), 1 s (1 s left)", both.DownReason);
        Assert.False(activeOnly.Status.Healthy);
        Assert.Equal("ejection of 1000 ms ended", activeOnly.HealthReason); // the last change, which did not bring it up
        Assert.Equal("active check failed: connection refused (1 in a row)", activeOnly.DownReason);
        Assert.Equal(downAt, activeOnly.DownSinceUnixMs);

        await ProbeAsync("down-both", ProbeResult.Unhealthy("HTTP 503"));
        Assert.Equal("active check failed: HTTP 503 (2 in a row)", (await grain.GetDetailsAsync()).DownReason);
        await ProbeAsync("down-both", ProbeResult.Healthy("HTTP 200"));
        Assert.Equal("active check failed: HTTP 503; passing again (1 of 2 to come back)", (await grain.GetDetailsAsync()).DownReason);
        await ProbeAsync("down-both", ProbeResult.Healthy("HTTP 200"));
        var up = await grain.GetDetailsAsync();
        Assert.Equal((true, "", 0L), (up.Status.Healthy, up.DownReason, up.DownSinceUnixMs));
    }

    [Fact]
    public async Task ReportBatch_AppliesEveryOutcomeInOrder()
    {
        var grain = Backend("batch");
        await grain.ConfigureAsync(Config("batch", consecutiveFailures: 2, baseEjectionMs: 5000));

        var status = await grain.ReportBatchAsync(new OutcomeBatch("gw1", 7, 3000,
            [new OutcomeSample(OutcomeKind.Success, 10), new OutcomeSample(OutcomeKind.ServerError, 2), new OutcomeSample(OutcomeKind.Success, 20)]));
        Assert.Equal((7L, 3L, 1L, false), (status.TotalInFlight, status.Requests, status.Failures, status.Ejected));
        Assert.InRange(status.EwmaLatencyMs, 10, 20);

        status = await grain.ReportBatchAsync(new OutcomeBatch("gw1", 0, 3000,
            [new OutcomeSample(OutcomeKind.Timeout, 1), new OutcomeSample(OutcomeKind.ConnectFailure, 1)]));
        Assert.True(status.Ejected); // two consecutive failures within one batch
        Assert.Equal((0L, 5L, 3L), (status.TotalInFlight, status.Requests, status.Failures));
    }

    [Fact]
    public async Task ReportBatch_MaxOutcomes_AcceptedOneMoreRejectedChangingNothing()
    {
        var grain = Backend("big-batch");
        var full = Enumerable.Repeat(new OutcomeSample(OutcomeKind.Success, 5), OutcomeBatch.MaxOutcomes).ToArray();
        Assert.Equal(OutcomeBatch.MaxOutcomes, (await grain.ReportBatchAsync(new OutcomeBatch("gw1", 2, 3000, full))).Requests);

        var e = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await grain.ReportBatchAsync(new OutcomeBatch("gw1", 9, 3000, [.. full, new OutcomeSample(OutcomeKind.ServerError, 1)])));

        Assert.Contains($"at most {OutcomeBatch.MaxOutcomes}", e.Message);
        var status = await grain.GetStatusAsync();
        Assert.Equal(((long)OutcomeBatch.MaxOutcomes, 0L, 2L), (status.Requests, status.Failures, status.TotalInFlight));
    }

    [Fact]
    public async Task Configure_WithHealthPath_ProbesAtOnceThenEveryInterval()
    {
        var grain = await ConfigureProbedAsync("probed", ProbeResult.Healthy("HTTP 200")); // the first probe at once

        var second = await ProbeAsync("probed", ProbeResult.Healthy("HTTP 200"));
        var third = await ProbeAsync("probed", ProbeResult.Healthy("HTTP 200"));

        Assert.Equal((TimeSpan.FromMilliseconds(ProbeIntervalMs), TimeSpan.FromMilliseconds(ProbeIntervalMs)), (second, third));
        Assert.Equal(3, Prober.CallsTo(ProbeUri("probed")));
        Assert.Equal(TimeSpan.FromSeconds(1), Prober.LastTimeout(ProbeUri("probed")));
        Assert.Equal(1, Clock.TimerCount(grain.GetGrainId()));
    }

    [Fact]
    public async Task Configure_SameConfigAgain_KeepsTimerAndHealth()
    {
        var grain = await ConfigureProbedAsync("same-config", ProbeResult.Unhealthy("HTTP 503"), fall: 1);
        var due = await Clock.WaitUntilArmedAsync(grain.GetGrainId());

        var status = await grain.ConfigureAsync(Config("same-config", healthPath: "healthz", fall: 1));

        Assert.False(status.ActiveHealthy);
        Assert.Equal(due, await Clock.WaitUntilArmedAsync(grain.GetGrainId())); // the same schedule, not a new timer
        Assert.Equal(1, Prober.CallsTo(ProbeUri("same-config")));
    }

    [Fact]
    public async Task Configure_HealthPathRemoved_StopsProbingAndHealthy()
    {
        var grain = await ConfigureProbedAsync("unprobed", ProbeResult.Unhealthy("HTTP 503"), fall: 1);
        Assert.False((await grain.GetStatusAsync()).Healthy);

        var status = await grain.ConfigureAsync(Config("unprobed", healthPath: null));

        Assert.True(status.Healthy);
        Assert.Equal(0, Clock.TimerCount(grain.GetGrainId()));
        var details = await grain.GetDetailsAsync();
        Assert.Equal(("active probing disabled", "", 0L), (details.HealthReason, details.DownReason, details.DownSinceUnixMs));
    }

    [Fact]
    public async Task ProbeTimer_Failures_FlipHealthAfterFallAndBackAfterRise()
    {
        var grain = await ConfigureProbedAsync("rise-fall", ProbeResult.Unhealthy("connection refused"), fall: 3, rise: 2);
        await ProbeAsync("rise-fall", ProbeResult.Unhealthy("connection refused"));
        Assert.True((await grain.GetStatusAsync()).Healthy);

        await ProbeAsync("rise-fall", ProbeResult.Unhealthy("connection refused"));

        var status = await grain.GetStatusAsync();
        Assert.Equal((false, false, false), (status.Healthy, status.ActiveHealthy, status.Ejected));
        var details = await grain.GetDetailsAsync();
        Assert.Equal("3 consecutive probe failures: connection refused", details.HealthReason);
        Assert.Equal(Clock.UnixMs, details.HealthChangedUnixMs);

        await ProbeAsync("rise-fall", ProbeResult.Healthy("HTTP 200"));
        Assert.False((await grain.GetStatusAsync()).Healthy);
        await ProbeAsync("rise-fall", ProbeResult.Healthy("HTTP 200"));
        Assert.True((await grain.GetStatusAsync()).Healthy);
        Assert.Equal("2 consecutive probe successes", (await grain.GetDetailsAsync()).HealthReason);
    }

    [Fact]
    public async Task ProbeTimer_ProbeOutstanding_GrainAnswersAndNoSecondProbeStarts()
    {
        var grain = Backend("slow-probe");
        var id = grain.GetGrainId();
        var uri = ProbeUri("slow-probe");
        var pending = Prober.Hold(uri);
        await grain.ConfigureAsync(Config("slow-probe", healthPath: "healthz", fall: 1));
        await Wait.UntilAsync(() => Prober.CallsTo(uri) == 1, "the first probe");

        Clock.Advance(TimeSpan.FromMilliseconds(ProbeIntervalMs * 3)); // three periods pass while it hangs

        Assert.True((await grain.GetStatusAsync()).Healthy); // calls run while the probe awaits the network
        Assert.Equal(1, Prober.CallsTo(uri));
        pending.SetResult(ProbeResult.Unhealthy("timeout after 1000 ms"));
        await Clock.WaitUntilArmedAsync(id);
        Assert.Equal(1, Prober.CallsTo(uri));
        Assert.False((await grain.GetStatusAsync()).Healthy);
        await ProbeAsync("slow-probe", ProbeResult.Healthy("HTTP 200"));
        Assert.Equal(2, Prober.CallsTo(uri));
    }

    [Fact]
    public async Task ProbeTimer_ProberThrows_CountsAsFailure()
    {
        var grain = Backend("throwing-probe");
        var uri = ProbeUri("throwing-probe");
        Prober.Throw(uri, new InvalidOperationException("boom"));

        await grain.ConfigureAsync(Config("throwing-probe", healthPath: "healthz", fall: 1));
        await Wait.UntilAsync(() => Prober.CallsTo(uri) == 1, "the probe");
        await Clock.WaitUntilArmedAsync(grain.GetGrainId());

        var details = await grain.GetDetailsAsync();
        Assert.False(details.Status.Healthy);
        Assert.Equal("1 consecutive probe failures: boom", details.HealthReason);
    }

    [Fact]
    public async Task Deactivate_StopsProbing_NewActivationRecomputesHealth()
    {
        var grain = await ConfigureProbedAsync("deactivated", ProbeResult.Unhealthy("HTTP 503"), fall: 1);
        var uri = ProbeUri("deactivated");
        Assert.False((await grain.GetStatusAsync()).Healthy);

        await fixture.Cluster.DeactivateAsync(grain);
        Assert.Equal(0, Clock.TimerCount(grain.GetGrainId()));
        Clock.Advance(TimeSpan.FromMilliseconds(ProbeIntervalMs * 2));
        var status = await grain.GetStatusAsync();

        Assert.Equal((false, true), (status.Configured, status.Healthy)); // health is never persisted
        Assert.Equal(1, Prober.CallsTo(uri));
    }

    [Fact]
    public async Task Healthy_RequiresActiveUpAndNotEjected()
    {
        var grain = await ConfigureProbedAsync("both-checks", ProbeResult.Unhealthy("HTTP 500"), fall: 1, rise: 1, consecutiveFailures: 1, baseEjectionMs: 10_000);

        var status = await grain.ReportOutcomeAsync(Outcome(OutcomeKind.ServerError));
        Assert.Equal((false, false, true), (status.Healthy, status.ActiveHealthy, status.Ejected));
        await ProbeAsync("both-checks", ProbeResult.Healthy("HTTP 200")); // 2 s later
        status = await grain.GetStatusAsync();
        Assert.Equal((false, true, true), (status.Healthy, status.ActiveHealthy, status.Ejected));
        Clock.Advance(TimeSpan.FromSeconds(8));
        status = await grain.GetStatusAsync();
        Assert.Equal((true, true, false), (status.Healthy, status.ActiveHealthy, status.Ejected));
    }

    [Fact]
    public async Task GetDetails_100ReportsInOneSecond_RateP99AndOneSample()
    {
        var grain = Backend("traffic");
        AlignToSecond();
        var start = Clock.UnixMs;
        await grain.ConfigureAsync(Config("traffic") with { Policy = "LeastTime" });
        for (var i = 1; i <= 100; i++)
        {
            await grain.ReportOutcomeAsync(Outcome(i % 10 == 0 ? OutcomeKind.ServerError : OutcomeKind.Success, latencyMs: i));
            Clock.Advance(TimeSpan.FromMilliseconds(9));
        }
        Clock.Advance(TimeSpan.FromMilliseconds(100)); // 1 s after activation

        var details = await grain.GetDetailsAsync();

        Assert.Equal("LeastTime", details.Policy);
        Assert.Equal(100, details.RequestsPerSec);
        Assert.InRange(details.P99LatencyMs, 99 / 1.0906, 99 * 1.0906); // every outcome counts, failures included
        Assert.Equal([new BackendSample(start, 100, 50.5)], details.History);
    }

    [Fact]
    public async Task GetDetails_TrafficStops_RateDecaysOverFiveSecondsAndP99After60()
    {
        var grain = Backend("decay");
        AlignToSecond();
        for (var second = 0; second < 10; second++)
        {
            for (var i = 0; i < 20; i++)
                await grain.ReportOutcomeAsync(Outcome(OutcomeKind.Success, latencyMs: 30));
            Clock.Advance(TimeSpan.FromSeconds(1));
        }
        var details = await grain.GetDetailsAsync();
        Assert.Equal((20.0, 30.0), (details.RequestsPerSec, details.P99LatencyMs));

        Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(8, (await grain.GetDetailsAsync()).RequestsPerSec); // 2 of the last 5 seconds had traffic
        Clock.Advance(TimeSpan.FromSeconds(2));
        details = await grain.GetDetailsAsync();
        Assert.Equal((0.0, 30.0), (details.RequestsPerSec, details.P99LatencyMs));
        Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(0, (await grain.GetDetailsAsync()).P99LatencyMs);
    }

    [Fact]
    public async Task GetDetails_200Seconds_OneSamplePerSecondAtMost180()
    {
        var grain = Backend("history");
        AlignToSecond();
        var start = Clock.UnixMs;
        await grain.GetStatusAsync(); // activates: the window starts now
        for (var second = 0; second < 200; second++)
        {
            for (var i = 0; i < second % 4; i++)
                await grain.ReportOutcomeAsync(Outcome(OutcomeKind.Success, latencyMs: second));
            Clock.Advance(TimeSpan.FromSeconds(1));
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
        var details = await Backend("quiet").GetDetailsAsync();

        Assert.Equal(((string?)null, 0.0, 0.0), (details.Policy, details.RequestsPerSec, details.P99LatencyMs));
        Assert.Empty(details.History);
    }
}
