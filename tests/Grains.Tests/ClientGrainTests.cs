using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Granary.Grains.Tests.Hosting;

namespace Granary.Grains.Tests;

/// <summary>
/// The client grain on an Orleans silo (defaults <see cref="GrainClusterFixture.DefaultCapacity"/>
/// tokens at <see cref="GrainClusterFixture.DefaultRatePerSec"/>/s): each test uses its own client ids.
/// </summary>
public sealed class ClientGrainTests(GrainClusterFixture fixture) : IClassFixture<GrainClusterFixture>
{
    private IClientGrain Client(string id) => fixture.Grains.GetGrain<IClientGrain>(id);

    private async Task<IClientGrain> RegisteredAsync(string id, long capacity, double ratePerSec)
    {
        Assert.True(await fixture.Registry.CreateAsync(id, new ClientLimits(capacity, ratePerSec)));
        return Client(id);
    }

    private static async Task<int> AdmittedOf(IClientGrain grain, int attempts)
    {
        var admitted = 0;
        for (var i = 0; i < attempts; i++)
        {
            if ((await grain.TryAcquireAsync(new AcquireTokens(1))).Admitted)
                admitted++;
        }
        return admitted;
    }

    [Fact]
    public async Task Activate_RegisteredClient_UsesRegistryLimitsWithFullBucket()
    {
        var grain = await RegisteredAsync("vip", 5, 1);

        var state = await grain.GetStateAsync();

        Assert.Equal(new ClientGrainState("vip", 5, 1, 5, 0, 0, ClientGrain.RegistrySource), state);
        Assert.Equal(5, await AdmittedOf(grain, 8));
    }

    [Fact]
    public async Task Activate_UnknownClient_UsesDefaults()
    {
        var grain = Client("10.0.0.7");

        var state = await grain.GetStateAsync();

        Assert.Equal(new ClientGrainState("10.0.0.7", GrainClusterFixture.DefaultCapacity, GrainClusterFixture.DefaultRatePerSec, 10, 0, 0, ClientGrain.DefaultSource), state);
        Assert.Equal(10, await AdmittedOf(grain, 12));
    }

    [Fact]
    public async Task Activate_RegistryChangedWhileActive_LimitsReadOnlyAtActivation()
    {
        var grain = Client("late-registered");
        Assert.Equal(GrainClusterFixture.DefaultCapacity, (await grain.GetStateAsync()).Capacity);

        await fixture.Registry.CreateAsync("late-registered", new ClientLimits(500, 5));
        var active = await grain.GetStateAsync();
        await fixture.Cluster.DeactivateAsync(grain);
        var reactivated = await grain.GetStateAsync();

        Assert.Equal((GrainClusterFixture.DefaultCapacity, ClientGrain.DefaultSource), (active.Capacity, active.LimitsSource));
        Assert.Equal((500L, 5.0, ClientGrain.RegistrySource), (reactivated.Capacity, reactivated.RatePerSec, reactivated.LimitsSource));
    }

    [Fact]
    public void ClientDefaultsOptions_Defaults_100TokensAt50PerSecond()
    {
        var options = new ClientDefaultsOptions();

        Assert.Equal((100L, 50.0), (options.DefaultCapacity, options.DefaultRatePerSec));
    }

    [Fact]
    public async Task TryAcquire_CountsAdmittedAndRejected_AndRefills()
    {
        var grain = await RegisteredAsync("refilled", 2, 1);
        Assert.Equal(new RateLimitDecision(true, 2, 1, 0, 1), await grain.TryAcquireAsync(new AcquireTokens(1)));
        await grain.TryAcquireAsync(new AcquireTokens(1));
        await grain.TryAcquireAsync(new AcquireTokens(1));

        var rejected = await grain.TryAcquireAsync(new AcquireTokens(1));

        Assert.Equal(new RateLimitDecision(false, 2, 0, RetryAfterSeconds: 1, ResetSeconds: 2), rejected);
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await grain.TryAcquireAsync(new AcquireTokens(1))).Admitted);
        var state = await grain.GetStateAsync();
        Assert.Equal((3L, 2L), (state.Admitted, state.Rejected));
    }

    [Fact]
    public async Task SetLimits_TakesEffectAtOnce_ClampsTokens()
    {
        var grain = Client("lowered");
        Assert.Equal(GrainClusterFixture.DefaultCapacity, (await grain.GetStateAsync()).Tokens);

        await grain.SetLimitsAsync(new ClientLimits(4, 1));

        var state = await grain.GetStateAsync();
        Assert.Equal((4L, 4.0, ClientGrain.RegistrySource), (state.Capacity, state.Tokens, state.LimitsSource));
        Assert.Equal(4, await AdmittedOf(grain, 8));
    }

    [Fact]
    public async Task SetLimits_Invalid_ThrowsNamingFieldAndKeepsLimits()
    {
        var grain = Client("bad-limits");

        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await grain.SetLimitsAsync(new ClientLimits(10, 0)));

        Assert.Contains("rate_per_sec", e.Message);
        Assert.Equal(GrainClusterFixture.DefaultRatePerSec, (await grain.GetStateAsync()).RatePerSec);
    }

    [Fact]
    public async Task ResetLimits_BackToDefaults()
    {
        var grain = await RegisteredAsync("reset", 1000, 100);
        Assert.Equal(ClientGrain.RegistrySource, (await grain.GetStateAsync()).LimitsSource);

        await grain.ResetLimitsAsync();

        var state = await grain.GetStateAsync();
        Assert.Equal((GrainClusterFixture.DefaultCapacity, GrainClusterFixture.DefaultRatePerSec, 10.0, ClientGrain.DefaultSource),
            (state.Capacity, state.RatePerSec, state.Tokens, state.LimitsSource));
    }

    [Fact]
    public async Task LeaseTokens_LargeRequest_GrantsAtMostAQuarterOfCapacity()
    {
        var grain = await RegisteredAsync("hoarder", 100, 1);

        var lease = await grain.LeaseTokensAsync(new LeaseTokens(1000, 0));

        Assert.Equal((100 / ClientGrain.MaxLeaseShare, 100L, 75L), (lease.Granted, lease.Limit, lease.Remaining));
        Assert.Equal(25, (await grain.GetStateAsync()).Admitted); // granted tokens count as admitted
    }

    [Fact]
    public async Task LeaseTokens_SmallBucket_GrantsWhatItHoldsAndTakesReturns()
    {
        var grain = await RegisteredAsync("leased", 2, 1); // capacity 2 at 1 token/s: at most 1 token per lease

        var first = await grain.LeaseTokensAsync(new LeaseTokens(5, 0));
        Assert.Equal(new TokenLease(1, Limit: 2, Remaining: 1, ResetSeconds: 1, NextTokenMs: 0), first);
        await grain.LeaseTokensAsync(new LeaseTokens(1, 0));
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(250));
        var empty = await grain.LeaseTokensAsync(new LeaseTokens(1, 0));
        Assert.Equal((0, 750), (empty.Granted, empty.NextTokenMs));

        var returned = await grain.LeaseTokensAsync(new LeaseTokens(0, 1)); // 0.25 + 1 handed back

        Assert.Equal((0, 1L, 0), (returned.Granted, returned.Remaining, returned.NextTokenMs));
        var state = await grain.GetStateAsync();
        Assert.Equal(1.25, state.Tokens, 6);
        Assert.Equal(2, state.Admitted);
        await Assert.ThrowsAsync<ArgumentException>(async () => await grain.LeaseTokensAsync(new LeaseTokens(-1, 0)));
    }
}
