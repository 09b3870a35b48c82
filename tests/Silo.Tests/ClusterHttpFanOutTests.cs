using Granary.Runtime.Membership;
using Granary.Silo.Dashboard;

namespace Granary.Silo.Tests;

public sealed class ClusterHttpFanOutTests(SiloFixture silo) : IClassFixture<SiloFixture>
{
    [Fact]
    public async Task FetchAsync_SiloNotListening_ReturnsAnErrorInsteadOfThrowing()
    {
        var fanOut = silo.Services.GetRequiredService<ClusterHttpFanOut>();
        var dead = new ClusterMember(new SiloAddress("127.0.0.1", 1, 1), "Active", $"http://127.0.0.1:{SiloFixture.FreePort()}", IsSelf: false);

        var answer = await fanOut.FetchAsync(dead, "/api/local/overview", null, CancellationToken.None);

        Assert.Null(answer.Body);
        Assert.False(string.IsNullOrEmpty(answer.Error));
    }

    [Fact]
    public async Task FetchAsync_SiloWithoutHttpPort_ReturnsAnError()
    {
        var fanOut = silo.Services.GetRequiredService<ClusterHttpFanOut>();

        var answer = await fanOut.FetchAsync(new ClusterMember(new SiloAddress("127.0.0.1", 1, 1), "Active", null, IsSelf: false), "/api/local/overview", null, CancellationToken.None);

        Assert.Null(answer.Body);
        Assert.Contains("HTTP port", answer.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_ThisSiloOverHttp_ReturnsItsLocalOverview()
    {
        var fanOut = silo.Services.GetRequiredService<ClusterHttpFanOut>();
        var self = (await fanOut.GetMembersAsync(CancellationToken.None)).Self;
        // Warm the endpoint first (a cold, loaded test machine can take longer than the 1 s fan-out deadline to JIT it),
        // then poll with a deadline: the fan-out's own first connection and JIT can miss the 1 s deadline too under CI load.
        await silo.Http.GetAsync("/api/local/overview");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        var answer = await fanOut.FetchAsync(self with { IsSelf = false }, "/api/local/overview", null, CancellationToken.None);
        while (answer.Error is not null && DateTime.UtcNow < deadline)
            answer = await fanOut.FetchAsync(self with { IsSelf = false }, "/api/local/overview", null, CancellationToken.None);

        Assert.Null(answer.Error);
        Assert.Equal(self.Silo.ToString(), answer.Body!["silo"]!["address"]!.GetValue<string>());
    }
}
