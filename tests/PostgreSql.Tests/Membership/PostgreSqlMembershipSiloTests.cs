using Granary.PostgreSql.Membership;
using Granary.PostgreSql.Tests.Infrastructure;
using Granary.Runtime.Hosting;
using Granary.Runtime.Membership;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Granary.PostgreSql.Tests.Membership;

/// <summary>Silos (membership only, no grain port) on PostgreSQL membership, real time: lease 5 s, heartbeat 1 s, refresh 2 s.</summary>
public sealed class PostgreSqlMembershipSiloTests(MigratedDatabaseFixture database, ITestOutputHelper output) : IClassFixture<MigratedDatabaseFixture>
{
    private readonly string _cluster = "c_" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Silo_CrashedSiloRow_DeclaredDeadAboutOneLeaseAfterItsLastHeartbeat()
    {
        using var silo = await StartSiloAsync(12001);
        await using var table = new PostgreSqlMembershipTable(database.Database.ConnectionString, _cluster);
        var crashed = new SiloAddress("127.0.0.1", 12002, 1);
        // A silo that joined and then died at once: its last heartbeat is this insert.
        Assert.True(await table.InsertAsync(crashed, SiloStatus.Active, TimeSpan.FromSeconds(5), (await table.ReadAllAsync()).Version));
        var views = silo.Services.GetRequiredService<IMembershipViewProvider>();
        await PgWait.UntilAsync(() => views.Current.ActiveSilos.Contains(crashed), TimeSpan.FromSeconds(1), "the silo saw the other join (NOTIFY)");

        var took = await PgWait.UntilAsync(async () => (await table.ReadAllAsync()).Find(crashed)!.Status == SiloStatus.Dead, TimeSpan.FromSeconds(9), "the crashed silo was declared Dead");

        output.WriteLine($"Declared dead {took.TotalMilliseconds:F0} ms after its last heartbeat (lease 5000 ms).");
        Assert.InRange(took, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(7));
        await PgWait.UntilAsync(() => !views.Current.ActiveSilos.Contains(crashed), TimeSpan.FromSeconds(1), "the view dropped it");
    }

    [Fact]
    public async Task Silo_GracefulStop_ShuttingDownThenDeadAndGatewayViewFollows()
    {
        var gateway = new ServiceCollection()
            .AddLogging()
            .AddGranaryPostgreSqlMembershipClient(database.Database.ConnectionString, _cluster)
            .BuildServiceProvider();
        await using var gatewayScope = gateway;
        var gatewayViews = gateway.GetRequiredService<IMembershipViewProvider>();
        Assert.IsType<MembershipTableViewProvider>(gatewayViews);
        foreach (var hosted in gateway.GetServices<IHostedService>())
            await hosted.StartAsync(CancellationToken.None);

        var first = await StartSiloAsync(12011);
        using var second = await StartSiloAsync(12012);
        var firstAddress = first.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        await PgWait.UntilAsync(() => gatewayViews.Current.ActiveSilos.Length == 2, TimeSpan.FromSeconds(2), "the gateway sees both silos");

        await first.StopAsync();
        first.Dispose();

        await using var table = new PostgreSqlMembershipTable(database.Database.ConnectionString, _cluster);
        var row = (await table.ReadAllAsync()).Find(firstAddress)!;
        Assert.Equal(SiloStatus.Dead, row.Status);
        Assert.Equal(9099, row.HttpPort);
        await PgWait.UntilAsync(() => gatewayViews.Current.ActiveSilos.Length == 1, TimeSpan.FromSeconds(1), "the gateway dropped the stopped silo");
        await PgWait.UntilAsync(() => second.Services.GetRequiredService<IMembershipViewProvider>().Current.ActiveSilos.Length == 1, TimeSpan.FromSeconds(1), "the other silo dropped it");
        foreach (var hosted in gateway.GetServices<IHostedService>())
            await hosted.StopAsync(CancellationToken.None);
    }

    private async Task<IHost> StartSiloAsync(int grainPort)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddGranaryPostgreSqlMembership(database.Database.ConnectionString, _cluster);
        builder.Services.AddGranarySilo(o =>
        {
            o.GrainPort = grainPort;
            o.HttpPort = 9099;
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
