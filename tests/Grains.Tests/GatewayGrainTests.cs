using Granary.Grains.Contracts;
using Granary.Grains.Tests.Fakes;
using Granary.Grains.Tests.Hosting;

namespace Granary.Grains.Tests;

/// <summary>The gateway grain on an Orleans silo: heartbeats and the idle timer; each test uses its own gateway id.</summary>
public sealed class GatewayGrainTests(GrainClusterFixture fixture) : IClassFixture<GrainClusterFixture>
{
    private GrainTimerClock Clock => fixture.Clock;

    private IGatewayGrain Gateway(string id) => fixture.Grains.GetGrain<IGatewayGrain>(id);

    /// <summary>Fires the idle check <paramref name="ticks"/> times; each must come one <see cref="GatewayGrain.IdleCheckPeriod"/> after the last and find the grain still there.</summary>
    private async Task IdleChecksAsync(IGatewayGrain grain, int ticks)
    {
        for (var i = 0; i < ticks; i++)
        {
            Assert.Equal(GatewayGrain.IdleCheckPeriod, await Clock.FireNextAsync(grain.GetGrainId()));
            await Clock.WaitUntilArmedAsync(grain.GetGrainId()); // the check ran and kept the activation
        }
    }

    [Fact]
    public async Task GetStats_NoReport_KeyAsIdAndNeverReported()
    {
        Assert.Equal(new GatewayStats("gw-quiet", 0, false, false, 0, 0), await Gateway("gw-quiet").GetStatsAsync());
    }

    [Fact]
    public async Task Report_Twice_LatestKeptStampedWithSiloClock()
    {
        var grain = Gateway("gw-reporting");
        await grain.ReportAsync(new GatewayStats("gw-reporting", 10, false, true, 1, 42));
        Clock.Advance(TimeSpan.FromMilliseconds(1500));

        // A skewed gateway clock (and a wrong id) do not leak into what the dashboard reads.
        await grain.ReportAsync(new GatewayStats("other", 20.5, true, false, 7, 99_999_999_999_999));

        Assert.Equal(new GatewayStats("gw-reporting", 20.5, true, false, 7, Clock.UnixMs), await grain.GetStatsAsync());
    }

    [Fact]
    public async Task IdleCheck_60sWithoutReport_Deactivates()
    {
        var grain = Gateway("gw-stopped");
        await grain.ReportAsync(new GatewayStats("gw-stopped", 1, false, true, 0, 0));
        var deactivated = fixture.Cluster.WaitForDeactivationAsync(grain);

        await IdleChecksAsync(grain, 11); // 55 s
        Assert.True(fixture.IsActive(grain));
        Assert.Equal(GatewayGrain.IdleCheckPeriod, await Clock.FireNextAsync(grain.GetGrainId())); // 60 s

        await Wait.ForAsync(deactivated, "the idle gateway grain's deactivation");
        Assert.Equal(0, Clock.TimerCount(grain.GetGrainId()));
        Assert.False(fixture.IsActive(grain));
    }

    [Fact]
    public async Task IdleCheck_ReportsKeepComing_StaysActive()
    {
        var grain = Gateway("gw-alive");
        for (var i = 0; i < 24; i++) // 120 s, one report per idle check
        {
            await grain.ReportAsync(new GatewayStats("gw-alive", i, false, true, 0, 0));
            await IdleChecksAsync(grain, 1);
        }

        Assert.True(fixture.IsActive(grain));
        Assert.Equal(23, (await grain.GetStatsAsync()).RequestsPerSec);
    }

    [Fact]
    public async Task IdleCheck_ReadsOnlyNeverReported_DeactivatesAfter60s()
    {
        var grain = Gateway("gw-read-only");
        await grain.GetStatsAsync();
        var deactivated = fixture.Cluster.WaitForDeactivationAsync(grain);
        await IdleChecksAsync(grain, 6);
        await grain.GetStatsAsync(); // reading does not keep it alive

        await IdleChecksAsync(grain, 5);
        await Clock.FireNextAsync(grain.GetGrainId());

        await Wait.ForAsync(deactivated, "the never-reported gateway grain's deactivation");
    }

    [Fact]
    public async Task Deactivation_StatsNotPersisted_NewActivationHasItsIdleTimer()
    {
        var grain = Gateway("gw-back");
        await grain.ReportAsync(new GatewayStats("gw-back", 1, false, true, 0, 0));

        await fixture.Cluster.DeactivateAsync(grain);

        Assert.Equal(0, Clock.TimerCount(grain.GetGrainId()));
        Assert.Equal(new GatewayStats("gw-back", 0, false, false, 0, 0), await grain.GetStatsAsync());
        Assert.Equal(1, Clock.TimerCount(grain.GetGrainId()));
    }
}
