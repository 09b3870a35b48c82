using Granary.Runtime.Transport;

namespace Granary.Runtime.Tests.Transport;

public sealed class PendingCallTableTests
{
    private static PendingCall Call(uint requestId, long deadline = 0) => PendingCall.Rent(requestId, deadline, null!);

    [Fact]
    public void TryAdd_SameIdTwice_SecondIsIdInUse()
    {
        var table = new PendingCallTable(1000);

        Assert.Equal(PendingAddResult.Added, table.TryAdd(Call(5)));
        Assert.Equal(PendingAddResult.IdInUse, table.TryAdd(Call(5)));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void TryAdd_ShardAtItsShareOfTheCap_Full()
    {
        // A cap of 32 gives each of the 16 shards 2; ids 1, 17, 33 share a shard.
        var table = new PendingCallTable(32);

        Assert.Equal(PendingAddResult.Added, table.TryAdd(Call(1)));
        Assert.Equal(PendingAddResult.Added, table.TryAdd(Call(17)));
        Assert.Equal(PendingAddResult.Full, table.TryAdd(Call(33)));
        Assert.Equal(PendingAddResult.Added, table.TryAdd(Call(2)));
        Assert.Equal(3, table.Count);
    }

    [Fact]
    public void TryTake_PendingId_RemovesItOnce()
    {
        var table = new PendingCallTable(1000);
        var call = Call(7);
        table.TryAdd(call);

        Assert.True(table.TryTake(7, out var taken));
        Assert.Same(call, taken);
        Assert.False(table.TryTake(7, out _));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void TryRemove_AnotherCallUnderTheId_LeavesIt()
    {
        var table = new PendingCallTable(1000);
        var call = Call(9);
        table.TryAdd(call);

        Assert.False(table.TryRemove(9, Call(9)));
        Assert.True(table.TryRemove(9, call));
        Assert.False(table.TryRemove(9, call));
    }

    [Fact]
    public void RemoveWhere_Predicate_RemovesOnlySelectedCalls()
    {
        var table = new PendingCallTable(1000);
        for (var id = 1u; id <= 40; id++)
            table.TryAdd(Call(id, deadline: id));
        var overdue = new List<PendingCall>();

        table.RemoveWhere(c => c.Deadline <= 10, overdue);
        var rest = new List<PendingCall>();
        table.RemoveWhere(null, rest);

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (uint)i), overdue.Select(c => c.RequestId).Order());
        Assert.Equal(30, rest.Count);
        Assert.Equal(0, table.Count);
    }
}
