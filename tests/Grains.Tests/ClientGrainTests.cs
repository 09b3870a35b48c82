using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Granary.Grains.Tests.Fakes;
using Granary.Runtime;
using Granary.Tests.Common;
using Microsoft.Extensions.Options;

namespace Granary.Grains.Tests;

public sealed class ClientGrainTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryClientRegistry _registry;

    public ClientGrainTests() => _registry = new InMemoryClientRegistry(_time);

    private async Task<ClientGrain> ActivateAsync(string clientId, long defaultCapacity = 100, double defaultRate = 50)
    {
        var options = Options.Create(new ClientDefaultsOptions { DefaultCapacity = defaultCapacity, DefaultRatePerSec = defaultRate });
        var context = new FakeGrainContext(new GrainId(GrainDescriptors.ClientGrainType, clientId), _time);
        return await context.ActivateAsync(new ClientGrain(_registry, options));
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
        await _registry.CreateAsync("vip", new ClientLimits(5, 1));
        var grain = await ActivateAsync("vip");
        var state = await grain.GetStateAsync();
        Assert.Equal(new ClientGrainState("vip", 5, 1, 5, 0, 0, ClientGrain.RegistrySource), state);
        Assert.Equal(5, await AdmittedOf(grain, 8));
    }

    [Fact]
    public async Task Activate_UnknownClient_UsesDefaults()
    {
        var grain = await ActivateAsync("10.0.0.7", defaultCapacity: 3, defaultRate: 2);
        var state = await grain.GetStateAsync();
        Assert.Equal(3, state.Capacity);
        Assert.Equal(2, state.RatePerSec);
        Assert.Equal(ClientGrain.DefaultSource, state.LimitsSource);
        Assert.Equal(3, await AdmittedOf(grain, 5));
    }

    [Fact]
    public void ClientDefaultsOptions_Defaults_100TokensAt50PerSecond()
    {
        var options = new ClientDefaultsOptions();
        Assert.Equal(100, options.DefaultCapacity);
        Assert.Equal(50, options.DefaultRatePerSec);
    }

    [Fact]
    public async Task TryAcquire_CountsAdmittedAndRejected_AndRefills()
    {
        var grain = await ActivateAsync("c", defaultCapacity: 2, defaultRate: 1);
        await AdmittedOf(grain, 3);
        var rejected = await grain.TryAcquireAsync(new AcquireTokens(1));
        Assert.False(rejected.Admitted);
        Assert.Equal(1, rejected.RetryAfterSeconds);
        Assert.Equal(2, rejected.ResetSeconds);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await grain.TryAcquireAsync(new AcquireTokens(1))).Admitted);
        var state = await grain.GetStateAsync();
        Assert.Equal(3, state.Admitted);
        Assert.Equal(2, state.Rejected);
    }

    [Fact]
    public async Task SetLimits_TakesEffectAtOnce_ClampsTokens()
    {
        var grain = await ActivateAsync("c", defaultCapacity: 100, defaultRate: 50);
        await grain.SetLimitsAsync(new ClientLimits(10, 1));
        var state = await grain.GetStateAsync();
        Assert.Equal(10, state.Capacity);
        Assert.Equal(10, state.Tokens);
        Assert.Equal(ClientGrain.RegistrySource, state.LimitsSource);
        Assert.Equal(10, await AdmittedOf(grain, 20));
    }

    [Fact]
    public async Task SetLimits_Invalid_ThrowsNamingField()
    {
        var grain = await ActivateAsync("c");
        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await grain.SetLimitsAsync(new ClientLimits(10, 0)));
        Assert.Contains("rate_per_sec", e.Message);
    }

    [Fact]
    public async Task ResetLimits_BackToDefaults()
    {
        await _registry.CreateAsync("c", new ClientLimits(1000, 100));
        var grain = await ActivateAsync("c", defaultCapacity: 4, defaultRate: 1);
        await grain.ResetLimitsAsync();
        var state = await grain.GetStateAsync();
        Assert.Equal(4, state.Capacity);
        Assert.Equal(4, state.Tokens);
        Assert.Equal(ClientGrain.DefaultSource, state.LimitsSource);
    }
}
