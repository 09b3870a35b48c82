using Granary.Runtime.Messaging;
using Granary.Runtime.Membership;
using Granary.Runtime.Placement;
using Granary.Runtime.Tests.Catalog;

namespace Granary.Runtime.Tests.Membership;

/// <summary>The membership protocol across silos sharing one in-memory table and one manual clock (lease 5 s, heartbeat 1 s, refresh 2 s).</summary>
public sealed class MembershipProtocolTests
{
    [Fact]
    public async Task Join_ThreeSilos_SameViewEverywhere()
    {
        await using var cluster = new TestCluster();
        for (var i = 0; i < 3; i++)
            await cluster.AddSiloAsync();

        var expected = cluster.Silos.Select(s => s.Self()).ToArray();
        await TestSilo.EventuallyAsync(
            () => cluster.Silos.All(s => s.View().ActiveSilos.SequenceEqual(expected) && s.View().Version == cluster.Silos[0].View().Version),
            "every silo has the same view of three");

        var snapshot = await cluster.Table.ReadAllAsync();
        Assert.Equal(snapshot.Version, cluster.Silos[0].View().Version);
        Assert.All(snapshot.Entries, e => Assert.Equal(SiloStatus.Active, e.Status));
        Assert.All(cluster.Silos, s => Assert.True(s.Membership().CanServe));
    }

    [Fact]
    public async Task Refresh_SiloStopsHeartbeating_DeclaredDeadAfterLeaseByLiveSilo()
    {
        await using var cluster = new TestCluster();
        for (var i = 0; i < 3; i++)
            await cluster.AddSiloAsync();
        var victim = cluster.Silos[2];
        var victimAddress = victim.Self();
        await TestSilo.EventuallyAsync(() => cluster.Silos[0].View().ActiveSilos.Length == 3, "all joined");

        cluster.Links[2].Down = true; // the victim can no longer reach the table: no heartbeat, no re-read
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(4.5));
        Assert.Equal(SiloStatus.Active, (await cluster.Table.ReadAllAsync()).Find(victimAddress)!.Status);

        await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));

        await TestSilo.EventuallyAsync(() => cluster.Table.ReadAllAsync().Result.Find(victimAddress)!.Status == SiloStatus.Dead, "the victim was declared Dead");
        await TestSilo.EventuallyAsync(
            () => cluster.Silos.Take(2).All(s => !s.View().ActiveSilos.Contains(victimAddress) && s.View().ActiveSilos.Length == 2),
            "the live silos dropped it from their view");
    }

    [Fact]
    public async Task Fence_LeaseNotRenewed_CallsRedirectedThenRejoinsAsNewGeneration()
    {
        await using var cluster = new TestCluster();
        var live = await cluster.AddSiloAsync();
        var victim = await cluster.AddSiloAsync();
        var before = victim.Self();
        var grain = OwnedBy(before, [live.Self(), before]);
        await TestSilo.EventuallyAsync(() => victim.View().ActiveSilos.Length == 2, "both joined");
        var (served, _) = await victim.CallRawAsync(grain, TestGrainMethods.Echo, TestSilo.Encode(new IntValue(1)));
        Assert.Equal(CallOutcomeKind.Ok, served.Kind);

        cluster.Links[1].Down = true;
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(3));

        // More than half the lease without renewal: fenced, although nobody declared it dead yet.
        Assert.False(victim.Membership().CanServe);
        Assert.True(victim.Membership().IsFenced);
        Assert.Equal(SiloStatus.Active, (await cluster.Table.ReadAllAsync()).Find(before)!.Status);
        var (fenced, _) = await victim.CallRawAsync(grain, TestGrainMethods.Echo, TestSilo.Encode(new IntValue(2)));
        Assert.Equal(CallOutcome.Redirect(null), fenced);

        await cluster.AdvanceAsync(TimeSpan.FromSeconds(3));
        await TestSilo.EventuallyAsync(() => cluster.Table.ReadAllAsync().Result.Find(before)!.Status == SiloStatus.Dead, "the live silo declared the victim Dead");
        cluster.Links[1].Down = false;
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(1.5));

        await TestSilo.EventuallyAsync(() => victim.Membership().CanServe, "the victim rejoined");
        var after = victim.Self();
        Assert.Equal(before.Endpoint, after.Endpoint);
        Assert.True(after.Generation > before.Generation);
        Assert.Contains(DeactivationReason.OwnershipLost, victim.Probe.DeactivationReasons);
        Assert.Equal(SiloStatus.Active, (await cluster.Table.ReadAllAsync()).Find(after)!.Status);
        await TestSilo.EventuallyAsync(() => live.View().ActiveSilos.Contains(after), "the live silo sees the new generation");
        var (again, _) = await victim.CallRawAsync(OwnedBy(after, [live.Self(), after]), TestGrainMethods.Echo, TestSilo.Encode(new IntValue(3)));
        Assert.Equal(CallOutcomeKind.Ok, again.Kind);
    }

    [Fact]
    public async Task Fence_ShortOutageRowStillAlive_ServesAgainSameGeneration()
    {
        await using var cluster = new TestCluster();
        var silo = await cluster.AddSiloAsync();
        var self = silo.Self();

        cluster.Links[0].Down = true;
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(3));
        Assert.False(silo.Membership().CanServe);
        cluster.Links[0].Down = false;
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));

        await TestSilo.EventuallyAsync(() => silo.Membership().CanServe, "the silo renewed its lease and serves again");
        Assert.Equal(self, silo.Self());
        var (outcome, _) = await silo.CallRawAsync(new GrainId(TestGrainDescriptor.GrainType, "a"), TestGrainMethods.Echo, TestSilo.Encode(new IntValue(1)));
        Assert.Equal(CallOutcomeKind.Ok, outcome.Kind);
    }

    [Fact]
    public async Task Fence_GrainTimer_SkipsTicksWhileFencedResumesAfter()
    {
        await using var cluster = new TestCluster();
        var silo = await cluster.AddSiloAsync();
        await silo.Grain("t").StartTimerAsync(new IntValue(100));
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(1));
        await TestSilo.EventuallyAsync(() => Volatile.Read(ref silo.Probe.TimerTicks) >= 5, "the timer ticks");

        cluster.Links[0].Down = true;
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(3));
        Assert.False(silo.Membership().CanServe);
        await Task.Delay(50);
        var atFence = Volatile.Read(ref silo.Probe.TimerTicks);
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(2));
        await Task.Delay(50);
        Assert.Equal(atFence, Volatile.Read(ref silo.Probe.TimerTicks));

        cluster.Links[0].Down = false;
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(2));
        await TestSilo.EventuallyAsync(() => Volatile.Read(ref silo.Probe.TimerTicks) > atFence, "the timer ticks again after the fence lifted");
    }

    [Fact]
    public async Task Refresh_AfterTableOutage_NobodyDeclaredDeadForTheOutageAlone()
    {
        await using var cluster = new TestCluster();
        for (var i = 0; i < 3; i++)
            await cluster.AddSiloAsync();
        var versionBefore = (await cluster.Table.ReadAllAsync()).Version;

        foreach (var link in cluster.Links)
            link.Down = true;
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(10));
        foreach (var link in cluster.Links)
            link.Down = false;
        await cluster.AdvanceAsync(TimeSpan.FromSeconds(8));

        var snapshot = await cluster.Table.ReadAllAsync();
        Assert.All(snapshot.Entries, e => Assert.Equal(SiloStatus.Active, e.Status));
        Assert.Equal(versionBefore, snapshot.Version);
        await TestSilo.EventuallyAsync(() => cluster.Silos.All(s => s.Membership().CanServe), "every silo serves again");
    }

    [Fact]
    public async Task Stop_Graceful_ShuttingDownThenDead()
    {
        await using var cluster = new TestCluster();
        var stays = await cluster.AddSiloAsync();
        var leaves = await cluster.AddSiloAsync();
        var address = leaves.Self();
        await TestSilo.EventuallyAsync(() => stays.View().ActiveSilos.Length == 2, "both joined");

        await leaves.StopAsync();

        Assert.Equal(
            [SiloStatus.Joining, SiloStatus.Active, SiloStatus.ShuttingDown, SiloStatus.Dead],
            cluster.Links[1].Writes.Where(w => w.Silo == address).Select(w => w.Status).ToArray());
        Assert.Equal(SiloStatus.Dead, (await cluster.Table.ReadAllAsync()).Find(address)!.Status);
        await TestSilo.EventuallyAsync(() => stays.View().ActiveSilos.SequenceEqual([stays.Self()]), "the other silo's view lost it");
    }

    [Fact]
    public async Task ViewChange_SiloJoins_DeactivatesOnlyActivationsNoLongerOwned()
    {
        await using var cluster = new TestCluster();
        var first = await cluster.AddSiloAsync();
        var keys = Enumerable.Range(0, 40).Select(i => new GrainId(TestGrainDescriptor.GrainType, $"g{i}")).ToArray();
        foreach (var key in keys)
            Assert.Equal(CallOutcomeKind.Ok, (await first.CallRawAsync(key, TestGrainMethods.Echo, TestSilo.Encode(new IntValue(1)))).Outcome.Kind);

        var second = await cluster.AddSiloAsync();
        var both = new[] { first.Self(), second.Self() };
        var moved = keys.Where(k => RendezvousPlacement.SelectOwner(k, both) == second.Self()).ToArray();
        var kept = keys.Except(moved).ToArray();

        await TestSilo.EventuallyAsync(() => first.Catalog.Count == kept.Length, "the moved grains were deactivated");
        Assert.NotEmpty(moved);
        Assert.All(kept, k => Assert.NotNull(first.Catalog.FindActivation(k)));
        Assert.All(first.Probe.DeactivationReasons, r => Assert.Equal(DeactivationReason.OwnershipLost, r));
        Assert.Equal(moved.Length, first.Probe.Deactivations);
    }

    [Fact]
    public async Task HandleAsync_CallerViewNewer_RefreshesWithoutWaitingForPoll()
    {
        await using var cluster = new TestCluster();
        var silo = await cluster.AddSiloAsync();
        cluster.Links[0].Notify = false;
        await TestSilo.EventuallyAsync(() => !silo.Membership().IsRefreshing, "the re-reads triggered by joining are done");
        var other = new SiloAddress("127.0.0.1", 12000, 1);
        Assert.True(await cluster.Table.InsertAsync(other, SiloStatus.Active, TimeSpan.FromSeconds(5), (await cluster.Table.ReadAllAsync()).Version));
        var tableVersion = (await cluster.Table.ReadAllAsync()).Version;
        Assert.True(silo.View().Version < tableVersion);

        await silo.CallRawAsync(new GrainId(TestGrainDescriptor.GrainType, "a"), TestGrainMethods.Echo, TestSilo.Encode(new IntValue(1)), callerViewVersion: tableVersion);

        await TestSilo.EventuallyAsync(() => silo.View().Version == tableVersion, "the silo re-read the table");
        Assert.Contains(other, silo.View().ActiveSilos);
    }

    private static GrainId OwnedBy(SiloAddress owner, SiloAddress[] view) =>
        Enumerable.Range(0, 1000).Select(i => new GrainId(TestGrainDescriptor.GrainType, $"k{i}")).First(id => RendezvousPlacement.SelectOwner(id, view) == owner);
}
