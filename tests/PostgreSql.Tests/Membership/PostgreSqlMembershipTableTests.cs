using Granary.PostgreSql.Membership;
using Granary.PostgreSql.Tests.Infrastructure;
using Granary.Runtime.Membership;

namespace Granary.PostgreSql.Tests.Membership;

/// <summary>The PostgreSQL membership table on the database's own clock, and its LISTEN/NOTIFY change feed.</summary>
public sealed class PostgreSqlMembershipTableTests(MigratedDatabaseFixture database) : IClassFixture<MigratedDatabaseFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(5);
    private readonly string _cluster = "c_" + Guid.NewGuid().ToString("N");
    private readonly List<IAsyncDisposable> _disposables = [];

    private PostgreSqlMembershipTable NewTable(bool listen = true, string? cluster = null)
    {
        var table = new PostgreSqlMembershipTable(database.Database.ConnectionString, cluster ?? _cluster, null, clock: null, listen);
        _disposables.Add(table);
        return table;
    }

    [Fact]
    public async Task InsertAsync_DatabaseClock_LeaseIsDatabaseNowPlusLease()
    {
        var table = NewTable();
        var silo = new SiloAddress("10.0.0.1", 11111, 42);

        Assert.True(await table.InsertAsync(silo, SiloStatus.Joining, Lease, 0, 9091));
        var snapshot = await table.ReadAllAsync();
        var row = snapshot.Find(silo)!;

        Assert.Equal(1, snapshot.Version);
        Assert.Equal(9091, row.HttpPort);
        Assert.InRange(row.StartedAt, snapshot.ReadAt - TimeSpan.FromSeconds(10), snapshot.ReadAt);
        Assert.Equal(row.StartedAt + Lease, row.LeaseUntil);
        Assert.False(row.IsLeaseExpired(snapshot.ReadAt));
        var databaseNow = (DateTime)(await database.Database.ScalarAsync("SELECT now()"))!;
        Assert.InRange(snapshot.ReadAt.UtcDateTime, databaseNow.AddSeconds(-10), databaseNow.AddSeconds(1));
    }

    [Fact]
    public async Task ReadAllAsync_LeaseLapsedInDatabaseTime_Expired()
    {
        var table = NewTable();
        var silo = new SiloAddress("10.0.0.1", 11111, 1);
        Assert.True(await table.InsertAsync(silo, SiloStatus.Active, TimeSpan.FromMilliseconds(200), 0));

        await PgWait.UntilAsync(async () =>
        {
            var snapshot = await table.ReadAllAsync();
            return snapshot.Find(silo)!.IsLeaseExpired(snapshot.ReadAt);
        }, TimeSpan.FromSeconds(5), "the 200 ms lease lapsed by the database clock");

        Assert.True(await table.HeartbeatAsync(silo, Lease));
        var renewed = await table.ReadAllAsync();
        Assert.False(renewed.Find(silo)!.IsLeaseExpired(renewed.ReadAt));
        Assert.Equal(1, renewed.Version);
    }

    [Fact]
    public async Task ReadAllAsync_OtherCluster_Invisible()
    {
        var mine = NewTable();
        var theirs = NewTable(cluster: "other_" + Guid.NewGuid().ToString("N"));
        Assert.True(await theirs.InsertAsync(new SiloAddress("10.0.0.2", 11111, 1), SiloStatus.Active, Lease, 0));

        var snapshot = await mine.ReadAllAsync();

        Assert.Equal(0, snapshot.Version);
        Assert.Empty(snapshot.Entries);
    }

    [Fact]
    public async Task Changed_ChangeByAnotherClient_RaisedWithinOneSecond()
    {
        var writer = NewTable(listen: false);
        var listener = NewTable();
        var raised = 0;
        listener.Changed += () => Interlocked.Increment(ref raised);
        await PgWait.UntilAsync(() => Volatile.Read(ref raised) >= 1, TimeSpan.FromSeconds(5), "the listener connected (it signals once on connect)");
        var before = Volatile.Read(ref raised);

        Assert.True(await writer.InsertAsync(new SiloAddress("10.0.0.1", 11111, 1), SiloStatus.Active, Lease, 0));

        await PgWait.UntilAsync(() => Volatile.Read(ref raised) > before, TimeSpan.FromSeconds(1), "NOTIFY reached the listener");
        var afterChange = Volatile.Read(ref raised);
        Assert.True(await writer.HeartbeatAsync(new SiloAddress("10.0.0.1", 11111, 1), Lease));
        Assert.False(await writer.UpdateAsync(new SiloAddress("10.0.0.1", 11111, 1), SiloStatus.Dead, 0)); // lost race: rolled back, no notify
        await Task.Delay(300);
        Assert.Equal(afterChange, Volatile.Read(ref raised));
    }

    [Fact]
    public async Task Changed_ListenConnectionKilled_ReconnectsSignalsAndKeepsListening()
    {
        var writer = NewTable(listen: false);
        var listener = NewTable();
        var raised = 0;
        listener.Changed += () => Interlocked.Increment(ref raised);
        await PgWait.UntilAsync(() => Volatile.Read(ref raised) >= 1, TimeSpan.FromSeconds(5), "the listener connected");

        var killed = await database.Database.ScalarAsync(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN " + PostgreSqlMembershipTable.Channel + "'");
        Assert.Equal(1L, killed);

        await PgWait.UntilAsync(() => Volatile.Read(ref raised) >= 2, TimeSpan.FromSeconds(5), "the listener reconnected and told readers to re-read");
        var before = Volatile.Read(ref raised);
        Assert.True(await writer.InsertAsync(new SiloAddress("10.0.0.1", 11111, 1), SiloStatus.Active, Lease, 0));
        await PgWait.UntilAsync(() => Volatile.Read(ref raised) > before, TimeSpan.FromSeconds(1), "notifications flow again after the reconnect");
    }

    [Fact]
    public async Task ViewProvider_Notify_DeliversViewChangeWithinOneSecond()
    {
        var silo = NewTable(listen: false);
        var listening = NewTable();
        var signals = 0;
        listening.Changed += () => Interlocked.Increment(ref signals);
        var gateway = new MembershipTableViewProvider(listening, refreshInterval: TimeSpan.FromMinutes(1));
        _disposables.Add(gateway);
        await gateway.StartAsync(CancellationToken.None);
        await PgWait.UntilAsync(() => Volatile.Read(ref signals) >= 1, TimeSpan.FromSeconds(5), "the LISTEN connection is up (it signals once on connect)");
        var address = new SiloAddress("10.0.0.1", 11111, 1);

        Assert.True(await silo.InsertAsync(address, SiloStatus.Joining, Lease, (await silo.ReadAllAsync()).Version));
        Assert.True(await silo.UpdateAsync(address, SiloStatus.Active, (await silo.ReadAllAsync()).Version));

        var took = await PgWait.UntilAsync(() => gateway.Current.ActiveSilos.Contains(address), TimeSpan.FromSeconds(1), "the gateway's view has the new silo (NOTIFY, no polling: interval 1 min)");
        Assert.True(took < TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task ViewProvider_ListenDown_PollingAloneCatchesUp()
    {
        var silo = NewTable(listen: false);
        var gateway = new MembershipTableViewProvider(NewTable(listen: false), refreshInterval: TimeSpan.FromMilliseconds(300));
        _disposables.Add(gateway);
        await gateway.StartAsync(CancellationToken.None);
        var address = new SiloAddress("10.0.0.1", 11111, 1);

        Assert.True(await silo.InsertAsync(address, SiloStatus.Active, Lease, 0));

        await PgWait.UntilAsync(() => gateway.Current.ActiveSilos.Contains(address), TimeSpan.FromSeconds(3), "polling caught up without notifications");
        Assert.Equal(1, gateway.Current.Version);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(_disposables))
            await disposable.DisposeAsync();
    }
}
