using Granary.Grains.Contracts;
using Granary.Runtime;
using Granary.Runtime.Hosting;
using Granary.Runtime.Storage;
using Granary.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Tests;

/// <summary>A client's token bucket across a silo restart: real hosts (AddGranarySilo + AddGranaryGrains) sharing one storage.</summary>
public sealed class ClientGrainRestartTests
{
    private readonly ManualTimeProvider _time = new();

    private IHost BuildSilo(IGrainStorage? storage)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(_time);
        if (storage is not null)
            builder.Services.AddSingleton(storage);
        builder.Services.AddGranarySilo(o => o.Generation = 1);
        builder.Services.AddGranaryGrains(o =>
        {
            o.DefaultCapacity = 10;
            o.DefaultRatePerSec = 1;
        });
        return builder.Build();
    }

    private static IClientGrain Client(IHost host, string id) => host.Services.GetRequiredService<IGrainFactory>().GetGrain<IClientGrain>(id);

    private async Task<(IGrainStorage Storage, int Admitted)> SpendThenStopAsync(string clientId, int attempts)
    {
        using var first = BuildSilo(storage: null);
        await first.StartAsync();
        var storage = first.Services.GetRequiredService<IGrainStorage>();
        var admitted = 0;
        for (var i = 0; i < attempts; i++)
        {
            if ((await Client(first, clientId).TryAcquireAsync(new AcquireTokens(1))).Admitted)
                admitted++;
        }
        await first.StopAsync();
        return (storage, admitted);
    }

    [Fact]
    public async Task SiloRestart_SameStorage_BucketRestoredNotRefilledToFull()
    {
        var (storage, admitted) = await SpendThenStopAsync("user1", 12);
        Assert.Equal(10, admitted);

        using var second = BuildSilo(storage);
        await second.StartAsync();
        var state = await Client(second, "user1").GetStateAsync();
        var decision = await Client(second, "user1").TryAcquireAsync(new AcquireTokens(1));
        await second.StopAsync();

        Assert.Equal(0, state.Tokens, 6);
        Assert.Equal(10, state.Admitted);
        Assert.Equal(2, state.Rejected);
        Assert.False(decision.Admitted);
    }

    [Fact]
    public async Task SiloRestart_WallTimeElapsedWhileDown_RefillsForThatTime()
    {
        var (storage, _) = await SpendThenStopAsync("user2", 10);
        _time.Advance(TimeSpan.FromSeconds(3));

        using var second = BuildSilo(storage);
        await second.StartAsync();
        var state = await Client(second, "user2").GetStateAsync();
        await second.StopAsync();

        Assert.Equal(3, state.Tokens, 6);
        Assert.Equal(10, state.Admitted);
    }

    [Fact]
    public async Task SiloRestart_FreshStorage_BucketStartsFull()
    {
        await SpendThenStopAsync("user3", 10);

        using var other = BuildSilo(storage: null);
        await other.StartAsync();
        var state = await Client(other, "user3").GetStateAsync();
        await other.StopAsync();

        Assert.Equal(10, state.Tokens);
        Assert.Equal(0, state.Admitted);
    }
}
