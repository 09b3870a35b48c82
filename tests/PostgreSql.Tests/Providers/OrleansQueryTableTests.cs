using System.Reflection;
using System.Text.RegularExpressions;
using Orleans.Runtime.MembershipService;
using Orleans.Storage;

namespace Granary.PostgreSql.Tests.Providers;

/// <summary>The migrated OrleansQuery table holds exactly the keys the two Orleans providers of this build read.</summary>
public sealed class OrleansQueryTableTests(OrleansDatabaseFixture db) : IClassFixture<OrleansDatabaseFixture>
{
    [Fact]
    public async Task OrleansQuery_Migrated_HasEveryClusteringKeyTheProviderRequires()
    {
        // The clustering provider fails at start unless every property of its internal DbStoredQueries has a row.
        var stored = typeof(AdoNetClusteringTable).Assembly.GetTypes().Single(t => t.Name == "DbStoredQueries");
        var required = stored.GetProperties(BindingFlags.Instance | BindingFlags.NonPublic).Select(p => p.Name).ToHashSet();

        var keys = await KeysAsync();

        Assert.Equal(9, required.Count);
        Assert.Subset(keys, required);
    }

    [Fact]
    public async Task OrleansQuery_Migrated_HasEveryStorageKeyTheProviderReads()
    {
        var read = Regex.Matches(AdoNetGrainStorage.DefaultInitializationQuery, "QueryKey = '([A-Za-z]+)'").Select(m => m.Groups[1].Value).ToHashSet();

        var keys = await KeysAsync();

        Assert.Equal(["ClearStorageKey", "DeleteStorageKey", "ReadFromStorageKey", "WriteToStorageKey"], read.Order());
        Assert.Subset(keys, read);
    }

    [Fact]
    public async Task OrleansQuery_Migrated_HoldsNothingElse()
    {
        var stored = typeof(AdoNetClusteringTable).Assembly.GetTypes().Single(t => t.Name == "DbStoredQueries");
        var expected = stored.GetProperties(BindingFlags.Instance | BindingFlags.NonPublic).Select(p => p.Name)
            .Concat(["ClearStorageKey", "DeleteStorageKey", "ReadFromStorageKey", "WriteToStorageKey"])
            .ToHashSet();

        Assert.Equal(expected.Order(StringComparer.Ordinal), (await KeysAsync()).Order(StringComparer.Ordinal));
    }

    private async Task<HashSet<string>> KeysAsync() =>
        (await db.Database.QueryAsync("SELECT QueryKey FROM OrleansQuery")).Select(r => r[0]!).ToHashSet();
}
