using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Granary.Grains.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Granary.Grains.Tests;

/// <summary>
/// A client's token bucket across silo restarts: the silo stops (or is killed) and a new silo
/// starts on the same grain storage (the test's, so it outlives the silo). Calls go through the
/// running silo's own grain factory. Defaults: 10 tokens at 1 token/s.
/// </summary>
public sealed class ClientGrainRestartTests(StorageClusterFixture fixture) : IClassFixture<StorageClusterFixture>
{
    private InProcessTestCluster Cluster => fixture.Cluster;

    private IClientGrain Client(string id) =>
        Cluster.GetActiveSilos().Single().SiloHost.Services.GetRequiredService<IGrainFactory>().GetGrain<IClientGrain>(id);

    private ClientBucketState? Stored(string id) => fixture.Storage.Stored<ClientBucketState>(Client(id).GetGrainId(), ClientGrain.StateName);

    private async Task<int> AdmittedOf(string clientId, int attempts)
    {
        var admitted = 0;
        for (var i = 0; i < attempts; i++)
        {
            if ((await Client(clientId).TryAcquireAsync(new AcquireTokens(1))).Admitted)
                admitted++;
        }
        return admitted;
    }

    /// <summary>Stops the running silo gracefully, runs <paramref name="whileDown"/>, and starts a new one.</summary>
    private async Task RestartAsync(Action? whileDown = null)
    {
        await Cluster.StopSiloAsync(Cluster.GetActiveSilos().Single());
        whileDown?.Invoke();
        await Cluster.StartAdditionalSiloAsync();
    }

    [Fact]
    public async Task SiloRestart_SameStorage_BucketRestoredNotRefilledToFull()
    {
        Assert.Equal(10, await AdmittedOf("user1", 12));

        await RestartAsync();

        var state = await Client("user1").GetStateAsync();
        Assert.Equal(0, state.Tokens, 6);
        Assert.Equal((10L, 2L), (state.Admitted, state.Rejected));
        Assert.False((await Client("user1").TryAcquireAsync(new AcquireTokens(1))).Admitted);
    }

    [Fact]
    public async Task SiloRestart_WallTimeElapsedWhileDown_RefillsForThatTime()
    {
        Assert.Equal(10, await AdmittedOf("user2", 10));

        await RestartAsync(whileDown: () => fixture.Clock.Advance(TimeSpan.FromSeconds(3)));

        var state = await Client("user2").GetStateAsync();
        Assert.Equal(3, state.Tokens, 6);
        Assert.Equal(10, state.Admitted);
    }

    [Fact]
    public async Task SiloRestart_FreshStorage_BucketStartsFull()
    {
        Assert.Equal(10, await AdmittedOf("user3", 10));

        await RestartAsync(whileDown: fixture.Storage.Clear);

        var state = await Client("user3").GetStateAsync();
        Assert.Equal((10.0, 0L), (state.Tokens, state.Admitted));
    }

    [Fact]
    public async Task SiloKilled_RestartsFromLastWriteBehind_OverAdmissionIsWhatWasSpentSince()
    {
        var id = Client("user4").GetGrainId();
        Assert.Equal(4, await AdmittedOf("user4", 4));
        await fixture.Clock.FireNextAsync(id);
        await Wait.UntilAsync(() => fixture.Storage.Writes(id) == 1, "the write-behind");
        Assert.Equal(new ClientBucketState(7, fixture.Clock.UnixMs, 4, 0), Stored("user4")); // 6 left + 1 refilled
        Assert.Equal(3, await AdmittedOf("user4", 3)); // spent after the last write: lost with the silo

        await Cluster.KillSiloAsync(Cluster.GetActiveSilos().Single());
        await Cluster.StartAdditionalSiloAsync();

        Assert.Equal(1, fixture.Storage.Writes(id)); // the killed silo wrote nothing on the way down
        var state = await Client("user4").GetStateAsync();
        Assert.Equal((7.0, 4L), (state.Tokens, state.Admitted)); // the 3 tokens are granted again
    }
}
