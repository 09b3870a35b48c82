using Granary.Runtime.Membership;

namespace Granary.Runtime.Tests.Membership;

public sealed class InMemoryMembershipTableTests : MembershipTableContractTests
{
    protected override IMembershipTable CreateTable() => new InMemoryMembershipTable(Time);

    [Fact]
    public async Task Changed_InsertAndUpdate_RaisedOncePerChangeNotForHeartbeats()
    {
        var table = new InMemoryMembershipTable(Time);
        var raised = 0;
        table.Changed += () => raised++;
        var silo = new SiloAddress("127.0.0.1", 11111, 1);

        Assert.True(await table.InsertAsync(silo, SiloStatus.Joining, TimeSpan.FromSeconds(5), 0, 9090));
        Assert.True(await table.UpdateAsync(silo, SiloStatus.Active, 1));
        Assert.True(await table.HeartbeatAsync(silo, TimeSpan.FromSeconds(5)));
        Assert.False(await table.UpdateAsync(silo, SiloStatus.Active, 0));

        Assert.Equal(2, raised);
        Assert.Equal(9090, (await table.ReadAllAsync()).Find(silo)!.HttpPort);
    }
}
