using Granary.Runtime.Membership;
using Granary.Runtime.Tests.Catalog;
using Granary.Tests.Common;

namespace Granary.Runtime.Tests.Membership;

public sealed class MembershipTableViewProviderTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(5);
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public async Task StartAsync_TableHasActiveSilos_ViewIsThem()
    {
        var table = new InMemoryMembershipTable(_time);
        var silo = new SiloAddress("127.0.0.1", 11111, 1);
        Assert.True(await table.InsertAsync(silo, SiloStatus.Active, Lease, 0));
        await using var provider = new MembershipTableViewProvider(table, _time);

        await provider.StartAsync(CancellationToken.None);

        Assert.Equal(1, provider.Current.Version);
        Assert.Equal([silo], provider.Current.ActiveSilos.ToArray());
    }

    [Fact]
    public async Task Changed_TableNotifies_ViewFollowsWithoutPolling()
    {
        var table = new InMemoryMembershipTable(_time);
        await using var provider = new MembershipTableViewProvider(table, _time);
        await provider.StartAsync(CancellationToken.None);
        var changes = 0;
        provider.ViewChanged += _ => Interlocked.Increment(ref changes);

        Assert.True(await table.InsertAsync(new SiloAddress("127.0.0.1", 11111, 1), SiloStatus.Active, Lease, 0));

        await TestSilo.EventuallyAsync(() => Volatile.Read(ref changes) == 1, "the notification was followed");
        Assert.Single(provider.Current.ActiveSilos);
    }

    [Fact]
    public async Task Poll_NoNotifications_CatchesUpAfterInterval()
    {
        var table = new InMemoryMembershipTable(_time);
        var quiet = new FaultyMembershipTable(table) { Notify = false };
        await using var provider = new MembershipTableViewProvider(quiet, _time);
        await provider.StartAsync(CancellationToken.None);
        Assert.True(await table.InsertAsync(new SiloAddress("127.0.0.1", 11111, 1), SiloStatus.Active, Lease, 0));
        await Task.Delay(50);
        Assert.Empty(provider.Current.ActiveSilos);

        _time.Advance(MembershipTableViewProvider.DefaultRefreshInterval);

        await TestSilo.EventuallyAsync(() => provider.Current.ActiveSilos.Length == 1, "polling caught up");
    }

    [Fact]
    public async Task Poll_TableUnreachable_KeepsLastView()
    {
        var table = new InMemoryMembershipTable(_time);
        var link = new FaultyMembershipTable(table);
        var silo = new SiloAddress("127.0.0.1", 11111, 1);
        Assert.True(await table.InsertAsync(silo, SiloStatus.Active, Lease, 0));
        await using var provider = new MembershipTableViewProvider(link, _time);
        await provider.StartAsync(CancellationToken.None);

        link.Down = true;
        _time.Advance(TimeSpan.FromSeconds(10));
        await Task.Delay(50);

        Assert.Equal([silo], provider.Current.ActiveSilos.ToArray());
        link.Down = false;
        Assert.True(await table.UpdateAsync(silo, SiloStatus.Dead, 1));
        await TestSilo.EventuallyAsync(() => provider.Current.ActiveSilos.IsEmpty, "the provider caught up after the outage");
    }

    [Fact]
    public async Task StartAsync_TableUnreachable_StartsWithEmptyView()
    {
        var link = new FaultyMembershipTable(new InMemoryMembershipTable(_time)) { Down = true };
        await using var provider = new MembershipTableViewProvider(link, _time);

        await provider.StartAsync(CancellationToken.None);

        Assert.Same(MembershipView.Empty, provider.Current);
    }
}
