using System.Diagnostics;
using Granary.PostgreSql.Storage;
using Granary.PostgreSql.Tests.Infrastructure;
using Granary.Runtime.Storage;

namespace Granary.PostgreSql.Tests.Storage;

/// <summary>The batched contract against PostgreSQL, plus what only a shared database shows: round trips and racing writers.</summary>
public sealed class PostgreSqlBatchedGrainStorageTests : BatchedGrainStorageContractTests, IClassFixture<MigratedDatabaseFixture>
{
    private readonly MigratedDatabaseFixture _db;

    public PostgreSqlBatchedGrainStorageTests(MigratedDatabaseFixture db)
    {
        _db = db;
        db.Truncate("granary_grain_state");
    }

    protected override IBatchedGrainStorage CreateStorage() => new PostgreSqlGrainStorage(_db.DataSource);

    [Fact]
    public async Task WriteManyAsync_HundredItemsWithOneConflict_OneCommandOnTheWire()
    {
        var storage = CreateStorage();
        var stale = await storage.WriteStateAsync("client", "k000", new byte[] { 1 }, null);
        await storage.WriteStateAsync("client", "k000", new byte[] { 2 }, stale);
        var writes = Enumerable.Range(0, 100)
            .Select(i => new GrainWrite("client", $"k{i:D3}", new byte[] { (byte)i }, i == 0 ? stale : null))
            .ToArray();

        var commands = await CountCommandsAsync(() => storage.WriteManyAsync(writes));
        var results = await storage.WriteManyAsync([]);

        Assert.Equal(1, commands.Count);
        Assert.Empty(results);
        Assert.False(commands.Result[0].Succeeded);
        Assert.Equal(99, commands.Result.Count(r => r.Succeeded));
    }

    [Fact]
    public async Task WriteStateAsync_EightWritersFromSameETag_ExactlyOneWins()
    {
        var storage = CreateStorage();
        var etag = await storage.WriteStateAsync("client", "hot", new byte[] { 0 }, null);

        var outcomes = await Task.WhenAll(Enumerable.Range(1, 8).Select(async i =>
        {
            try
            {
                await storage.WriteStateAsync("client", "hot", new byte[] { (byte)i }, etag);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }));

        Assert.Single(outcomes, won => won);
    }

    [Fact]
    public async Task WriteManyAsync_TwoBatchesRacingOnSameGrains_EachGrainWrittenOnce()
    {
        var storage = CreateStorage();
        var keys = Enumerable.Range(0, 20).Select(i => $"r{i:D2}").ToArray();
        var first = await storage.WriteManyAsync(keys.Select(k => new GrainWrite("client", k, new byte[] { 0 }, null)).ToArray());
        var etags = first.Select(r => r.NewETag).ToArray();

        var forward = keys.Select((k, i) => new GrainWrite("client", k, new byte[] { 1 }, etags[i])).ToArray();
        var backward = forward.Reverse().Select(w => w with { Payload = new byte[] { 2 } }).ToArray();
        var both = await Task.WhenAll(storage.WriteManyAsync(forward), storage.WriteManyAsync(backward));

        Assert.Equal(20, both.SelectMany(r => r).Count(r => r.Succeeded));
        Assert.Equal(20, both.SelectMany(r => r).Count(r => !r.Succeeded));
    }

    [Fact]
    public async Task WriteStateAsync_NotANumberETag_ThrowsInconsistentState()
    {
        var storage = CreateStorage();
        var etag = await storage.WriteStateAsync("client", "a", new byte[] { 1 }, null);

        var e = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("client", "a", new byte[] { 2 }, "abc"));

        Assert.Equal(etag, e.StoredETag);
    }

    [Fact]
    public async Task ClearStateAsync_NothingStoredAndNullETag_Succeeds()
    {
        var storage = CreateStorage();

        await storage.ClearStateAsync("client", "never", null);

        Assert.False((await storage.ReadStateAsync("client", "never")).RecordExists);
    }

    [Fact]
    public async Task WriteStateAsync_LargePayload_RoundTrips()
    {
        var storage = CreateStorage();
        var payload = new byte[256 * 1024];
        new Random(42).NextBytes(payload);

        var etag = await storage.WriteStateAsync("client", "big", payload.AsMemory(1, payload.Length - 1), null);

        var record = await storage.ReadStateAsync("client", "big");
        Assert.Equal(etag, record.ETag);
        Assert.Equal(payload[1..], record.Payload!.Value.ToArray());
    }

    /// <summary>Runs <paramref name="action"/> and counts the Npgsql command activities on this fixture's database.</summary>
    private async Task<(int Count, T Result)> CountCommandsAsync<T>(Func<Task<T>> action)
    {
        var database = _db.Database.Name;
        var count = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.TagObjects.Any(t => Equals(t.Value, database)))
                    Interlocked.Increment(ref count);
            },
        };
        ActivitySource.AddActivityListener(listener);
        var result = await action();
        return (Volatile.Read(ref count), result);
    }
}
