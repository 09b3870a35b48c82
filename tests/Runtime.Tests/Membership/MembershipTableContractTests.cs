using Granary.Runtime.Membership;
using Granary.Tests.Common;

namespace Granary.Runtime.Tests.Membership;

/// <summary>
/// The contract every <see cref="IMembershipTable"/> provider must pass (run per provider; the
/// PostgreSQL tests compile this file too). Time moves only through <see cref="Time"/>: a provider
/// under test takes its clock from it.
/// </summary>
public abstract class MembershipTableContractTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(5);
    private static readonly SiloAddress Silo1 = new("127.0.0.1", 11111, 1);
    private static readonly SiloAddress Silo2 = new("127.0.0.1", 11112, 1);

    protected ManualTimeProvider Time { get; } = new();

    protected abstract IMembershipTable CreateTable();

    [Fact]
    public async Task ReadAllAsync_EmptyTable_VersionZeroNoRows()
    {
        var table = CreateTable();

        var snapshot = await table.ReadAllAsync();

        Assert.Equal(0, snapshot.Version);
        Assert.Empty(snapshot.Entries);
        Assert.Equal(MembershipView.Empty.ActiveSilos, snapshot.ToView().ActiveSilos);
    }

    [Fact]
    public async Task InsertAsync_CurrentVersion_InsertsAndBumpsVersion()
    {
        var table = CreateTable();

        Assert.True(await table.InsertAsync(Silo1, SiloStatus.Joining, Lease, 0));
        var snapshot = await table.ReadAllAsync();

        Assert.Equal(1, snapshot.Version);
        var row = Assert.Single(snapshot.Entries);
        Assert.Equal(Silo1, row.Silo);
        Assert.Equal(SiloStatus.Joining, row.Status);
        Assert.Equal(snapshot.ReadAt + Lease, row.LeaseUntil);
    }

    [Fact]
    public async Task InsertAsync_StaleVersion_ReturnsFalseAndChangesNothing()
    {
        var table = CreateTable();
        Assert.True(await table.InsertAsync(Silo1, SiloStatus.Joining, Lease, 0));

        var inserted = await table.InsertAsync(Silo2, SiloStatus.Joining, Lease, 0);

        Assert.False(inserted);
        var snapshot = await table.ReadAllAsync();
        Assert.Equal(1, snapshot.Version);
        Assert.Null(snapshot.Find(Silo2));
    }

    [Fact]
    public async Task InsertAsync_RowExists_ReturnsFalse()
    {
        var table = CreateTable();
        Assert.True(await table.InsertAsync(Silo1, SiloStatus.Joining, Lease, 0));

        Assert.False(await table.InsertAsync(Silo1, SiloStatus.Active, Lease, 1));
        Assert.Equal(1, (await table.ReadAllAsync()).Version);
    }

    [Fact]
    public async Task UpdateAsync_StaleVersion_ReturnsFalseAndChangesNothing()
    {
        var table = CreateTable();
        Assert.True(await table.InsertAsync(Silo1, SiloStatus.Joining, Lease, 0));
        Assert.True(await table.InsertAsync(Silo2, SiloStatus.Joining, Lease, 1));

        var updated = await table.UpdateAsync(Silo1, SiloStatus.Active, 1);

        Assert.False(updated);
        var snapshot = await table.ReadAllAsync();
        Assert.Equal(2, snapshot.Version);
        Assert.Equal(SiloStatus.Joining, snapshot.Find(Silo1)!.Status);
    }

    [Fact]
    public async Task UpdateAsync_CurrentVersion_ChangesStatusAndView()
    {
        var table = CreateTable();
        Assert.True(await table.InsertAsync(Silo1, SiloStatus.Joining, Lease, 0));
        Assert.True(await table.InsertAsync(Silo2, SiloStatus.Active, Lease, 1));

        Assert.True(await table.UpdateAsync(Silo1, SiloStatus.Active, 2));
        var view = (await table.ReadAllAsync()).ToView();

        Assert.Equal(3, view.Version);
        Assert.Equal([Silo1, Silo2], view.ActiveSilos.ToArray());
    }

    [Fact]
    public async Task UpdateAsync_TwoWritersSameVersion_ExactlyOneWins()
    {
        var table = CreateTable();
        Assert.True(await table.InsertAsync(Silo1, SiloStatus.Active, Lease, 0));
        Assert.True(await table.InsertAsync(Silo2, SiloStatus.Active, Lease, 1));

        var results = await Task.WhenAll(
            Task.Run(() => table.UpdateAsync(Silo1, SiloStatus.Dead, 2)),
            Task.Run(() => table.UpdateAsync(Silo2, SiloStatus.Dead, 2)));

        Assert.Single(results, r => r);
        Assert.Equal(3, (await table.ReadAllAsync()).Version);
    }

    [Fact]
    public async Task UpdateAsync_DeadRow_IsTerminal()
    {
        var table = CreateTable();
        Assert.True(await table.InsertAsync(Silo1, SiloStatus.Active, Lease, 0));
        Assert.True(await table.UpdateAsync(Silo1, SiloStatus.Dead, 1));

        Assert.False(await table.UpdateAsync(Silo1, SiloStatus.Active, 2));
        Assert.False(await table.HeartbeatAsync(Silo1, Lease));
        Assert.Equal(SiloStatus.Dead, (await table.ReadAllAsync()).Find(Silo1)!.Status);
    }

    [Fact]
    public async Task UpdateAsync_BackwardMove_ReturnsFalse()
    {
        var table = CreateTable();
        Assert.True(await table.InsertAsync(Silo1, SiloStatus.ShuttingDown, Lease, 0));

        Assert.False(await table.UpdateAsync(Silo1, SiloStatus.Active, 1));
    }

    [Fact]
    public async Task UpdateAsync_MissingRow_ReturnsFalse()
    {
        var table = CreateTable();

        Assert.False(await table.UpdateAsync(Silo1, SiloStatus.Active, 0));
    }

    [Fact]
    public async Task HeartbeatAsync_LiveRow_ExtendsLeaseWithoutChangingVersion()
    {
        var table = CreateTable();
        Assert.True(await table.InsertAsync(Silo1, SiloStatus.Active, Lease, 0));
        var before = (await table.ReadAllAsync()).Find(Silo1)!.LeaseUntil;

        Time.Advance(TimeSpan.FromSeconds(3));
        Assert.True(await table.HeartbeatAsync(Silo1, Lease));
        var snapshot = await table.ReadAllAsync();

        Assert.Equal(1, snapshot.Version);
        Assert.Equal(before + TimeSpan.FromSeconds(3), snapshot.Find(Silo1)!.LeaseUntil);
        Assert.False(snapshot.Find(Silo1)!.IsLeaseExpired(snapshot.ReadAt));
    }

    [Fact]
    public async Task HeartbeatAsync_NoHeartbeatPastLease_LeaseExpired()
    {
        var table = CreateTable();
        Assert.True(await table.InsertAsync(Silo1, SiloStatus.Active, Lease, 0));

        Time.Advance(Lease + TimeSpan.FromMilliseconds(1));
        var snapshot = await table.ReadAllAsync();

        Assert.True(snapshot.Find(Silo1)!.IsLeaseExpired(snapshot.ReadAt));
        Assert.False(await table.HeartbeatAsync(Silo2, Lease));
    }
}
