using System.Net;
using Granary.Grains.Contracts;
using Granary.Tests.Common;

namespace Granary.Silo.Tests;

/// <summary>
/// A silo stopped gracefully (what SIGTERM does: the host stops, Orleans deactivates the silo's grains)
/// leaves its client buckets written to grain storage on PostgreSQL, so the next silo serves them on.
/// </summary>
public sealed class GracefulStopTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Stop_ThenNewSilo_BucketKeepsTheTokensSpent()
    {
        var id = "stop-" + Guid.NewGuid().ToString("N")[..8];
        var first = await TestSilo.StartAsync(_db.ConnectionString);
        double tokensBefore;
        try
        {
            var created = await first.Http.SendAsync(HttpMethod.Post, "/clients", $"{{\"client_id\":\"{id}\",\"capacity\":100,\"rate_per_sec\":0.001}}");
            Assert.Equal(HttpStatusCode.Created, created.Status);
            var grain = first.Grains.GetGrain<IClientGrain>(id);
            for (var i = 0; i < 60; i++)
                Assert.True((await grain.TryAcquireAsync(new AcquireTokens(1))).Admitted);
            tokensBefore = (await grain.GetStateAsync()).Tokens;
            await first.StopAsync();
        }
        finally
        {
            await first.DisposeAsync();
        }

        await using var second = await TestSilo.StartAsync(_db.ConnectionString);
        var (status, json, _) = await second.Http.SendAsync(HttpMethod.Get, "/clients/" + id);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.InRange(tokensBefore, 39.9, 40.1);
        Assert.InRange(json.GetProperty("tokens").GetDouble(), 39.9, 41);
        Assert.Equal(60, json.GetProperty("admitted").GetInt64());
    }
}
