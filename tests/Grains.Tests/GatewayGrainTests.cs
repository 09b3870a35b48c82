using Granary.Grains.Contracts;
using Granary.Grains.Tests.Fakes;
using Granary.Runtime;
using Granary.Tests.Common;

namespace Granary.Grains.Tests;

public sealed class GatewayGrainTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly FakeGrainContext _context;

    public GatewayGrainTests() => _context = new FakeGrainContext(new GrainId(GrainDescriptors.GatewayGrainType, "gw1"), _time);

    private Task<GatewayGrain> ActivateAsync() => _context.ActivateAsync(new GatewayGrain());

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Advances the clock by whole idle-check periods, firing the idle timer after each.</summary>
    private async Task PassAsync(TimeSpan time)
    {
        for (var passed = TimeSpan.Zero; passed < time; passed += GatewayGrain.IdleCheckPeriod)
        {
            _time.Advance(GatewayGrain.IdleCheckPeriod);
            foreach (var timer in _context.ActiveTimers.ToList())
                await timer.FireAsync();
        }
    }

    [Fact]
    public async Task GetStats_NoReport_KeyAsIdAndNeverReported()
    {
        var grain = await ActivateAsync();

        Assert.Equal(new GatewayStats("gw1", 0, false, false, 0, 0), await grain.GetStatsAsync());
    }

    [Fact]
    public async Task Report_Twice_LatestKeptStampedWithSiloClock()
    {
        var grain = await ActivateAsync();
        await grain.ReportAsync(new GatewayStats("gw1", 10, false, true, 1, 42));
        _time.Advance(TimeSpan.FromMilliseconds(1500));

        // A skewed gateway clock (and a wrong id) do not leak into what the dashboard reads.
        await grain.ReportAsync(new GatewayStats("other", 20.5, true, false, 7, 99_999_999_999_999));

        Assert.Equal(new GatewayStats("gw1", 20.5, true, false, 7, NowMs), await grain.GetStatsAsync());
    }

    [Fact]
    public async Task IdleCheck_60sWithoutReport_Deactivates()
    {
        var grain = await ActivateAsync();
        await grain.ReportAsync(new GatewayStats("gw1", 1, false, true, 0, 0));
        var timer = Assert.Single(_context.ActiveTimers);
        Assert.Equal((GatewayGrain.IdleCheckPeriod, GatewayGrain.IdleCheckPeriod), (timer.DueTime, timer.Period));

        await PassAsync(TimeSpan.FromSeconds(55));
        Assert.False(_context.DeactivateRequested);
        await PassAsync(TimeSpan.FromSeconds(5));

        Assert.True(_context.DeactivateRequested);
        Assert.Empty(_context.ActiveTimers);
    }

    [Fact]
    public async Task IdleCheck_ReportsEverySecond_StaysActive()
    {
        var grain = await ActivateAsync();
        for (var i = 0; i < 120; i++)
        {
            await grain.ReportAsync(new GatewayStats("gw1", i, false, true, 0, 0));
            _time.Advance(TimeSpan.FromSeconds(1));
            if (i % 5 == 4)
                await _context.ActiveTimers.Single().FireAsync();
        }

        Assert.False(_context.DeactivateRequested);
        Assert.Equal(119, (await grain.GetStatsAsync()).RequestsPerSec);
    }

    [Fact]
    public async Task IdleCheck_ReadsOnlyNeverReported_DeactivatesAfter60s()
    {
        var grain = await ActivateAsync();
        await PassAsync(TimeSpan.FromSeconds(30));
        await grain.GetStatsAsync(); // reading does not keep it alive

        await PassAsync(TimeSpan.FromSeconds(30));

        Assert.True(_context.DeactivateRequested);
    }

    [Fact]
    public async Task Deactivate_DisposesIdleTimer()
    {
        var grain = await ActivateAsync();

        await grain.OnDeactivateAsync(DeactivationReason.ShuttingDown, CancellationToken.None);

        Assert.Empty(_context.ActiveTimers);
    }
}
