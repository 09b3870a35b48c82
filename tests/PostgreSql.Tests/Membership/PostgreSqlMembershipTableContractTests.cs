using Granary.PostgreSql.Membership;
using Granary.PostgreSql.Tests.Infrastructure;
using Granary.Runtime.Membership;
using Granary.Runtime.Tests.Membership;

namespace Granary.PostgreSql.Tests.Membership;

/// <summary>
/// The provider-agnostic membership contract against real PostgreSQL. The contract moves time by
/// hand, so these tables take timestamps from the test clock instead of the database's now()
/// (same SQL otherwise); database time itself is tested in <see cref="PostgreSqlMembershipTableTests"/>.
/// Each test gets a cluster id of its own in the class's database.
/// </summary>
public sealed class PostgreSqlMembershipTableContractTests(MigratedDatabaseFixture database)
    : MembershipTableContractTests, IClassFixture<MigratedDatabaseFixture>, IAsyncLifetime
{
    private readonly List<PostgreSqlMembershipTable> _tables = [];

    protected override IMembershipTable CreateTable()
    {
        var table = new PostgreSqlMembershipTable(database.Database.ConnectionString, "c_" + Guid.NewGuid().ToString("N"), null, Time, listen: false);
        _tables.Add(table);
        return table;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var table in _tables)
            await table.DisposeAsync();
    }
}
