using Granary.Runtime.Storage;

namespace Granary.PostgreSql.Tests.Storage;

/// <summary>The contract of <see cref="IBatchedGrainStorage.WriteManyAsync"/>, run per provider.</summary>
public abstract class BatchedGrainStorageContractTests
{
    protected abstract IBatchedGrainStorage CreateStorage();

    [Fact]
    public async Task WriteManyAsync_Empty_ReturnsEmpty()
    {
        var storage = CreateStorage();

        Assert.Empty(await storage.WriteManyAsync([]));
    }

    [Fact]
    public async Task WriteManyAsync_ManyNewGrains_AllStoredWithTheirETags()
    {
        var storage = CreateStorage();
        var writes = Enumerable.Range(0, 50).Select(i => new GrainWrite("client", $"k{i:D2}", new byte[] { (byte)i, 7 }, null)).ToArray();

        var results = await storage.WriteManyAsync(writes);

        Assert.Equal(50, results.Count);
        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Equal(50, results.Select(r => r.NewETag).Distinct().Count());
        for (var i = 0; i < writes.Length; i++)
        {
            var record = await storage.ReadStateAsync("client", $"k{i:D2}");
            Assert.Equal(results[i].NewETag, record.ETag);
            Assert.Equal(new byte[] { (byte)i, 7 }, record.Payload!.Value.ToArray());
        }
    }

    [Fact]
    public async Task WriteManyAsync_OneStaleETag_ReportsThatConflictOthersWritten()
    {
        var storage = CreateStorage();
        var a = await storage.WriteStateAsync("client", "a", new byte[] { 1 }, null);
        var b1 = await storage.WriteStateAsync("client", "b", new byte[] { 1 }, null);
        var b2 = await storage.WriteStateAsync("client", "b", new byte[] { 2 }, b1);

        var results = await storage.WriteManyAsync(
        [
            new GrainWrite("client", "c", new byte[] { 3 }, null),
            new GrainWrite("client", "b", new byte[] { 3 }, b1),
            new GrainWrite("client", "a", new byte[] { 3 }, a),
        ]);

        Assert.True(results[0].Succeeded);
        Assert.False(results[1].Succeeded);
        Assert.Null(results[1].NewETag);
        Assert.Equal(b2, results[1].StoredETag);
        Assert.True(results[2].Succeeded);
        Assert.NotEqual(a, results[2].NewETag);
        Assert.Equal(new byte[] { 2 }, (await storage.ReadStateAsync("client", "b")).Payload!.Value.ToArray());
        Assert.Equal(new byte[] { 3 }, (await storage.ReadStateAsync("client", "a")).Payload!.Value.ToArray());
        Assert.Equal(results[0].NewETag, (await storage.ReadStateAsync("client", "c")).ETag);
    }

    [Fact]
    public async Task WriteManyAsync_NullETagButStateExists_ConflictWithStoredETag()
    {
        var storage = CreateStorage();
        var stored = await storage.WriteStateAsync("client", "a", new byte[] { 1 }, null);

        var results = await storage.WriteManyAsync([new GrainWrite("client", "a", new byte[] { 2 }, null)]);

        Assert.Equal(GrainWriteResult.Conflict(stored), results[0]);
    }

    [Fact]
    public async Task WriteManyAsync_ETagOfMissingState_ConflictWithNoStoredETag()
    {
        var storage = CreateStorage();
        var etag = await storage.WriteStateAsync("client", "a", new byte[] { 1 }, null);
        await storage.ClearStateAsync("client", "a", etag);

        var results = await storage.WriteManyAsync([new GrainWrite("client", "a", new byte[] { 2 }, etag)]);

        Assert.Equal(GrainWriteResult.Conflict(null), results[0]);
        Assert.False((await storage.ReadStateAsync("client", "a")).RecordExists);
    }

    [Fact]
    public async Task WriteManyAsync_ThenSingleWriteWithReturnedETag_Succeeds()
    {
        var storage = CreateStorage();
        var results = await storage.WriteManyAsync([new GrainWrite("backend", "x", new byte[] { 1 }, null)]);

        var next = await storage.WriteStateAsync("backend", "x", new byte[] { 2 }, results[0].NewETag);

        Assert.Equal(next, (await storage.ReadStateAsync("backend", "x")).ETag);
    }

    [Fact]
    public async Task WriteManyAsync_SameGrainTwice_ThrowsArgumentAndWritesNothing()
    {
        var storage = CreateStorage();

        await Assert.ThrowsAsync<ArgumentException>(() => storage.WriteManyAsync(
        [
            new GrainWrite("client", "a", new byte[] { 1 }, null),
            new GrainWrite("client", "a", new byte[] { 2 }, null),
        ]));

        Assert.False((await storage.ReadStateAsync("client", "a")).RecordExists);
    }

    [Fact]
    public async Task WriteManyAsync_SameKeyDifferentTypes_Independent()
    {
        var storage = CreateStorage();

        var results = await storage.WriteManyAsync(
        [
            new GrainWrite("client", "a", new byte[] { 1 }, null),
            new GrainWrite("backend", "a", new byte[] { 2 }, null),
        ]);

        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Equal(new byte[] { 2 }, (await storage.ReadStateAsync("backend", "a")).Payload!.Value.ToArray());
    }
}
