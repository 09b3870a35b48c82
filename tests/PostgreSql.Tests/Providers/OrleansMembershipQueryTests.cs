using System.Net;
using Granary.PostgreSql.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime.MembershipService;

namespace Granary.PostgreSql.Tests.Providers;

/// <summary>
/// Every clustering query key (V003) driven through Orleans's own ADO.NET clustering provider, resolved from a silo
/// host built with <see cref="PostgreSqlSiloBuilderExtensions.UseGranaryPostgreSql"/> (not started: the tests play the
/// silos). Each test uses a cluster id of its own in one migrated database.
/// </summary>
public sealed class OrleansMembershipQueryTests(OrleansDatabaseFixture db) : IClassFixture<OrleansDatabaseFixture>
{
    private static readonly DateTime Now = Ms(DateTime.UtcNow);

    [Fact]
    public async Task Initialize_FreshCluster_VersionRowCreatedOnceAndTableEmpty()
    {
        var cluster = NewClusterId();
        using var host = BuildSilo(cluster);
        var table = host.Services.GetRequiredService<IMembershipTable>();

        Assert.IsType<AdoNetClusteringTable>(table);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true); // InsertMembershipVersionKey: creates
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true); // and again: already there

        var all = await table.ReadAllAsync();
        Assert.Empty(all.Members);
        Assert.Equal(0, all.Version.Version);
        Assert.Equal(1L, await db.Database.ScalarAsync($"SELECT count(*) FROM granary_orleans_cluster WHERE cluster_id = '{cluster}'"));
    }

    [Fact]
    public async Task InsertRow_Join_ReadRowAndReadAllReturnTheEntryAndVersionMoves()
    {
        var table = await InitializedTableAsync(NewClusterId());
        var entry = Entry(11111, SiloStatus.Joining);

        var empty = await table.ReadAllAsync();
        Assert.True(await table.InsertRowAsync(entry, empty.Version.Next()));

        var row = await table.ReadRowAsync(entry.SiloAddress);
        var (read, etag) = Assert.Single(row.Members);
        AssertSameEntry(entry, read);
        Assert.NotNull(etag);
        Assert.Equal(1, row.Version.Version);
        var all = await table.ReadAllAsync();
        AssertSameEntry(entry, Assert.Single(all.Members).Item1);
        Assert.Equal(1, all.Version.Version);
    }

    [Fact]
    public async Task InsertRow_StaleVersionOrExistingSilo_FailsAndChangesNothing()
    {
        var table = await InitializedTableAsync(NewClusterId());
        var version0 = (await table.ReadAllAsync()).Version;
        var first = Entry(11111, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(first, version0.Next()));

        // Another silo that read version 0 lost the race.
        Assert.False(await table.InsertRowAsync(Entry(11112, SiloStatus.Joining), version0.Next()));
        // The same silo (address, port, generation) cannot join twice, even with the current version.
        var version1 = (await table.ReadAllAsync()).Version;
        Assert.False(await table.InsertRowAsync(Entry(11111, SiloStatus.Active, generation: first.SiloAddress.Generation), version1.Next()));

        var all = await table.ReadAllAsync();
        AssertSameEntry(first, Assert.Single(all.Members).Item1);
        Assert.Equal(1, all.Version.Version);
    }

    [Fact]
    public async Task ReadRow_UnknownSilo_NoEntryButTheVersion()
    {
        var table = await InitializedTableAsync(NewClusterId());
        Assert.True(await table.InsertRowAsync(Entry(11111, SiloStatus.Active), (await table.ReadAllAsync()).Version.Next()));

        var row = await table.ReadRowAsync(Entry(11112, SiloStatus.Active).SiloAddress);

        Assert.Empty(row.Members);
        Assert.Equal(1, row.Version.Version);
    }

    [Fact]
    public async Task UpdateIAmAlive_Heartbeat_ChangesOnlyTheAliveTime()
    {
        var table = await InitializedTableAsync(NewClusterId());
        var entry = Entry(11111, SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));

        var beat = Entry(11111, SiloStatus.Dead, generation: entry.SiloAddress.Generation); // only its alive time may be used
        beat.IAmAliveTime = Now.AddSeconds(30);
        await table.UpdateIAmAliveAsync(beat);

        var row = await table.ReadRowAsync(entry.SiloAddress);
        var read = Assert.Single(row.Members).Item1;
        Assert.Equal(Now.AddSeconds(30), read.IAmAliveTime);
        Assert.Equal(SiloStatus.Active, read.Status);
        Assert.Equal(entry.StartTime, read.StartTime);
        Assert.Equal(1, row.Version.Version); // a heartbeat is not a membership change
    }

    [Fact]
    public async Task UpdateRow_SuspectThenDead_WithCurrentVersionSucceedsAndStaleVersionFails()
    {
        var table = await InitializedTableAsync(NewClusterId());
        var target = Entry(11111, SiloStatus.Active);
        var suspector = Entry(11112, SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(target, (await table.ReadAllAsync()).Version.Next()));
        Assert.True(await table.InsertRowAsync(suspector, (await table.ReadAllAsync()).Version.Next()));

        // Suspect: the suspector adds its vote (UpdateRow with the row's etag and the table version it read).
        var read = await table.ReadRowAsync(target.SiloAddress);
        var (entry, etag) = Assert.Single(read.Members);
        entry.AddOrUpdateSuspector(suspector.SiloAddress, Now.AddSeconds(1), 10);
        Assert.True(await table.UpdateRowAsync(entry, etag, read.Version.Next()));

        var suspected = Assert.Single((await table.ReadRowAsync(target.SiloAddress)).Members).Item1;
        var vote = Assert.Single(suspected.SuspectTimes ?? []);
        Assert.Equal(suspector.SiloAddress, vote.Item1);
        Assert.Equal(Now.AddSeconds(1), vote.Item2);
        Assert.Equal(SiloStatus.Active, suspected.Status);

        // A writer still holding the version read before the suspicion loses: the row stays as it is.
        entry.Status = SiloStatus.Dead;
        Assert.False(await table.UpdateRowAsync(entry, etag, read.Version.Next()));
        Assert.Equal(SiloStatus.Active, Assert.Single((await table.ReadRowAsync(target.SiloAddress)).Members).Item1.Status);
        Assert.Equal(3, (await table.ReadAllAsync()).Version.Version);

        // Dead, with the current version.
        var current = await table.ReadRowAsync(target.SiloAddress);
        var (again, againEtag) = Assert.Single(current.Members);
        again.Status = SiloStatus.Dead;
        again.IAmAliveTime = Now.AddSeconds(5);
        Assert.True(await table.UpdateRowAsync(again, againEtag, current.Version.Next()));

        var all = await table.ReadAllAsync();
        var dead = all.Members.Single(m => m.Item1.SiloAddress.Equals(target.SiloAddress)).Item1;
        Assert.Equal(SiloStatus.Dead, dead.Status);
        Assert.Equal(Now.AddSeconds(5), dead.IAmAliveTime);
        Assert.Equal(SiloStatus.Active, all.Members.Single(m => m.Item1.SiloAddress.Equals(suspector.SiloAddress)).Item1.Status);
        Assert.Equal(4, all.Version.Version);
    }

    [Fact]
    public async Task UpdateRow_UnknownSilo_FailsAndVersionStays()
    {
        var table = await InitializedTableAsync(NewClusterId());
        var version = (await table.ReadAllAsync()).Version;

        Assert.False(await table.UpdateRowAsync(Entry(11111, SiloStatus.Dead), "", version.Next()));

        Assert.Equal(0, (await table.ReadAllAsync()).Version.Version);
    }

    [Fact]
    public async Task GetGateways_ClientOfTheCluster_ListsActiveSilosWithAGatewayPortOnly()
    {
        var cluster = NewClusterId();
        var table = await InitializedTableAsync(cluster);
        var active = Entry(11111, SiloStatus.Active, proxyPort: 30000);
        var joining = Entry(11112, SiloStatus.Joining, proxyPort: 30001);
        var noGateway = Entry(11113, SiloStatus.Active, proxyPort: 0);
        var dead = Entry(11114, SiloStatus.Dead, proxyPort: 30003);
        foreach (var e in new[] { active, joining, noGateway, dead })
            Assert.True(await table.InsertRowAsync(e, (await table.ReadAllAsync()).Version.Next()));
        var other = await InitializedTableAsync(NewClusterId());
        Assert.True(await other.InsertRowAsync(Entry(11115, SiloStatus.Active, proxyPort: 30004), (await other.ReadAllAsync()).Version.Next()));

        using var client = BuildClient(cluster);
        var gateways = client.Services.GetRequiredService<IGatewayListProvider>();
        await gateways.InitializeGatewayListProviderAsync();
        var list = await gateways.GetGatewaysAsync();

        Assert.Equal("AdoNetGatewayListProvider", gateways.GetType().Name);
        Assert.Equal([SiloAddress.New(IPAddress.Loopback, 30000, active.SiloAddress.Generation).ToGatewayUri()], list);
    }

    [Fact]
    public async Task CleanupDefunctSiloEntries_RemovesOnlyStaleRowsOfSilosNotActive()
    {
        var cluster = NewClusterId();
        var table = await InitializedTableAsync(cluster);
        var staleDead = Entry(11111, SiloStatus.Dead, aliveAgo: TimeSpan.FromDays(10));
        var staleJoining = Entry(11112, SiloStatus.Joining, aliveAgo: TimeSpan.FromDays(10));
        var staleActive = Entry(11113, SiloStatus.Active, aliveAgo: TimeSpan.FromDays(10));
        var recentDead = Entry(11114, SiloStatus.Dead, aliveAgo: TimeSpan.FromMinutes(1));
        foreach (var e in new[] { staleDead, staleJoining, staleActive, recentDead })
            Assert.True(await table.InsertRowAsync(e, (await table.ReadAllAsync()).Version.Next()));
        var otherCluster = NewClusterId();
        var other = await InitializedTableAsync(otherCluster);
        Assert.True(await other.InsertRowAsync(Entry(11115, SiloStatus.Dead, aliveAgo: TimeSpan.FromDays(10)), (await other.ReadAllAsync()).Version.Next()));

        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow - TimeSpan.FromDays(7));

        var left = (await table.ReadAllAsync()).Members.Select(m => m.Item1.SiloAddress).ToHashSet();
        Assert.Equal([staleActive.SiloAddress, recentDead.SiloAddress], left.OrderBy(a => a.Endpoint.Port));
        Assert.Single((await other.ReadAllAsync()).Members); // another cluster's rows are not this silo's to clean
    }

    [Fact]
    public async Task DeleteMembershipTableEntries_Cluster_RemovesItsRowsAndVersionOnly()
    {
        var cluster = NewClusterId();
        var table = await InitializedTableAsync(cluster);
        Assert.True(await table.InsertRowAsync(Entry(11111, SiloStatus.Active), (await table.ReadAllAsync()).Version.Next()));
        Assert.True(await table.InsertRowAsync(Entry(11112, SiloStatus.Active), (await table.ReadAllAsync()).Version.Next()));
        var other = await InitializedTableAsync(NewClusterId());
        Assert.True(await other.InsertRowAsync(Entry(11113, SiloStatus.Active), (await other.ReadAllAsync()).Version.Next()));

        await table.DeleteMembershipTableEntriesAsync(cluster);

        var all = await table.ReadAllAsync();
        Assert.Empty(all.Members);
        Assert.Equal(0, all.Version.Version);
        Assert.Equal(0L, await db.Database.ScalarAsync($"SELECT count(*) FROM granary_orleans_cluster WHERE cluster_id = '{cluster}'"));
        Assert.Single((await other.ReadAllAsync()).Members);
        // A silo that initializes again starts the cluster over.
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        Assert.True(await table.InsertRowAsync(Entry(11114, SiloStatus.Active), (await table.ReadAllAsync()).Version.Next()));
    }

    [Fact]
    public async Task Timestamps_SessionTimeZoneIsNotUtc_StoredAsTheUtcInstant()
    {
        var cluster = NewClusterId();
        var table = await InitializedTableAsync(cluster);
        var entry = Entry(11111, SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));

        // A new session (as the provider's are) runs in the database's non-UTC zone.
        Assert.Equal(OrleansDatabaseFixture.TimeZone, (await db.Database.QueryAsync("SHOW timezone"))[0][0]);
        var stored = (DateTime)(await db.Database.ScalarAsync(
            $"SELECT start_time AT TIME ZONE 'UTC' FROM granary_orleans_silo WHERE cluster_id = '{cluster}'"))!;
        Assert.Equal(entry.StartTime, stored);
    }

    private static string NewClusterId() => "c-" + Guid.NewGuid().ToString("N")[..12];

    private static DateTime Ms(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    private static int _generation = 1_000;

    /// <summary>A silo's entry on 127.0.0.1, times at whole milliseconds (Orleans's suspect-time text has ms precision).</summary>
    private static MembershipEntry Entry(int port, SiloStatus status, int? generation = null, int proxyPort = 30000, TimeSpan? aliveAgo = null)
    {
        var alive = Now - (aliveAgo ?? TimeSpan.Zero);
        return new MembershipEntry
        {
            SiloAddress = SiloAddress.New(IPAddress.Loopback, port, generation ?? Interlocked.Increment(ref _generation)),
            Status = status,
            ProxyPort = proxyPort,
            HostName = "host-" + port,
            SiloName = "silo-" + port,
            StartTime = alive.AddMinutes(-1),
            IAmAliveTime = alive,
            SuspectTimes = [],
        };
    }

    private static void AssertSameEntry(MembershipEntry expected, MembershipEntry actual)
    {
        Assert.Equal(expected.SiloAddress, actual.SiloAddress);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.ProxyPort, actual.ProxyPort);
        Assert.Equal(expected.HostName, actual.HostName);
        Assert.Equal(expected.SiloName, actual.SiloName);
        Assert.Equal(expected.StartTime, actual.StartTime);
        Assert.Equal(expected.IAmAliveTime, actual.IAmAliveTime);
        Assert.Empty(actual.SuspectTimes ?? []);
    }

    private async Task<IMembershipTable> InitializedTableAsync(string clusterId)
    {
        // The host is never started; the table needs nothing from it after initialization.
        var host = BuildSilo(clusterId);
        var table = host.Services.GetRequiredService<IMembershipTable>();
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        return table;
    }

    private IHost BuildSilo(string clusterId)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo =>
        {
            silo.UseGranaryPostgreSql(db.ConnectionString);
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = "granary-tests";
            });
        });
        return builder.Build();
    }

    private IHost BuildClient(string clusterId)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = PostgreSqlDefaults.Invariant;
                o.ConnectionString = db.ConnectionString;
            });
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = "granary-tests";
            });
        });
        return builder.Build();
    }
}
