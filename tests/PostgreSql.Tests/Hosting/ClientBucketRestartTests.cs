using System.Net;
using Granary.Grains;
using Granary.Grains.Contracts;
using Granary.PostgreSql.Hosting;
using Granary.PostgreSql.Tests.Providers;
using Granary.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Granary.PostgreSql.Tests.Hosting;

/// <summary>
/// A client's token bucket kept by the real <c>ClientGrain</c> in PostgreSQL through Orleans's ADO.NET storage, across a
/// silo restart (write-behind while running, a final write on deactivation at shutdown).
/// </summary>
public sealed class ClientBucketRestartTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private IHost BuildSilo(int writeBehindIntervalMs = 1000)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo =>
        {
            silo.UseGranaryPostgreSql(_db.ConnectionString);
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = "restart-tests";
                o.ServiceId = "granary-restart-tests";
            });
            silo.ConfigureEndpoints(IPAddress.Loopback, OrleansSiloFixture.FreePort(), OrleansSiloFixture.FreePort());
            // 10 tokens, refilling so slowly that the test's own run time adds well under one token.
            silo.Services.AddGranaryGrains(
                o =>
                {
                    o.DefaultCapacity = 10;
                    o.DefaultRatePerSec = 0.001;
                },
                o => o.WriteBehindIntervalMs = writeBehindIntervalMs);
        });
        return builder.Build();
    }

    [Fact]
    public async Task SiloRestart_PostgreSqlStorage_BucketAndCountersRestored()
    {
        using (var first = BuildSilo())
        {
            await first.StartAsync();
            var client = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IClientGrain>("pg-user");
            for (var i = 0; i < 12; i++)
                await client.TryAcquireAsync(new AcquireTokens(1));
            await first.StopAsync();
        }
        Assert.Equal(1L, await _db.ScalarAsync(
            "SELECT count(*) FROM granary_orleans_grain_state WHERE state_name = 'bucket' AND grain_id_ext = 'pg-user' AND payload IS NOT NULL"));

        using var second = BuildSilo();
        await second.StartAsync();
        var restored = second.Services.GetRequiredService<IGrainFactory>().GetGrain<IClientGrain>("pg-user");
        var state = await restored.GetStateAsync();
        var decision = await restored.TryAcquireAsync(new AcquireTokens(1));
        await second.StopAsync();

        Assert.True(state.Tokens < 1, $"tokens {state.Tokens} should be what was left (0 plus a tiny refill), not a full bucket");
        Assert.Equal(10, state.Admitted);
        Assert.Equal(2, state.Rejected);
        Assert.False(decision.Admitted);
    }

    [Fact]
    public async Task WriteBehind_SiloRunning_StateReachesPostgreSqlWithinAnInterval()
    {
        using var silo = BuildSilo(writeBehindIntervalMs: 50);
        await silo.StartAsync();
        var client = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IClientGrain>("pg-live");
        for (var i = 0; i < 3; i++)
            await client.TryAcquireAsync(new AcquireTokens(1));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (Convert.ToInt64(await _db.ScalarAsync("SELECT count(*) FROM granary_orleans_grain_state WHERE state_name = 'bucket' AND grain_id_ext = 'pg-live'")) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the state was not written behind within 5 s");
            await Task.Delay(20);
        }
        await silo.StopAsync();
    }
}
