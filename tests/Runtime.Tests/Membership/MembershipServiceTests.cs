using Granary.Runtime.Membership;
using Granary.Runtime.Tests.Catalog;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.Runtime.Tests.Membership;

public sealed class MembershipServiceTests
{
    [Fact]
    public async Task StartAsync_SingleSilo_ActiveAndSoleMemberOfView()
    {
        await using var silo = await TestSilo.StartAsync();
        var self = silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var views = silo.Services.GetRequiredService<IMembershipViewProvider>();
        var table = silo.Services.GetRequiredService<IMembershipTable>();

        var snapshot = await table.ReadAllAsync();

        Assert.Equal(new SiloAddress("127.0.0.1", 11111, 1), self);
        Assert.Equal(SiloStatus.Active, snapshot.Find(self)!.Status);
        Assert.Equal([self], views.Current.ActiveSilos.ToArray());
        Assert.Equal(snapshot.Version, views.Current.Version);
        Assert.Equal(views.Current.Version, silo.Catalog.ViewVersion);
    }

    [Fact]
    public async Task StopAsync_SingleSilo_MarkedDeadAndViewEmpty()
    {
        await using var silo = await TestSilo.StartAsync();
        var self = silo.Services.GetRequiredService<SiloAddress>();
        var views = silo.Services.GetRequiredService<IMembershipViewProvider>();
        var table = silo.Services.GetRequiredService<IMembershipTable>();
        var versionBefore = views.Current.Version;

        await silo.StopAsync();

        Assert.Equal(SiloStatus.Dead, (await table.ReadAllAsync()).Find(self)!.Status);
        Assert.Empty(views.Current.ActiveSilos);
        Assert.True(views.Current.Version > versionBefore);
    }

    [Fact]
    public async Task Heartbeat_Interval_RenewsOwnLease()
    {
        await using var silo = await TestSilo.StartAsync();
        var self = silo.Services.GetRequiredService<SiloAddress>();
        var table = silo.Services.GetRequiredService<IMembershipTable>();
        var leaseBefore = (await table.ReadAllAsync()).Find(self)!.LeaseUntil;

        silo.Time.Advance(TimeSpan.FromSeconds(1));

        await TestSilo.EventuallyAsync(() => table.ReadAllAsync().Result.Find(self)!.LeaseUntil > leaseBefore, "the heartbeat renewed the lease");
    }

    [Fact]
    public async Task Heartbeat_OtherSiloLeaseExpired_DeclaredDeadAndLeavesView()
    {
        await using var silo = await TestSilo.StartAsync();
        var views = silo.Services.GetRequiredService<IMembershipViewProvider>();
        var table = silo.Services.GetRequiredService<IMembershipTable>();
        var other = new SiloAddress("127.0.0.1", 11112, 7);
        var changes = new List<MembershipView>();
        views.ViewChanged += v => { lock (changes) changes.Add(v); };
        Assert.True(await table.InsertAsync(other, SiloStatus.Active, TimeSpan.FromSeconds(5), (await table.ReadAllAsync()).Version));

        silo.Time.Advance(TimeSpan.FromSeconds(1));
        await TestSilo.EventuallyAsync(() => views.Current.ActiveSilos.Contains(other), "the other silo joined the view");
        for (var i = 0; i < 6; i++)
            silo.Time.Advance(TimeSpan.FromSeconds(1));

        await TestSilo.EventuallyAsync(() => !views.Current.ActiveSilos.Contains(other), "the expired silo left the view");
        Assert.Equal(SiloStatus.Dead, (await table.ReadAllAsync()).Find(other)!.Status);
        lock (changes)
            Assert.True(changes.Count >= 2);
    }
}
