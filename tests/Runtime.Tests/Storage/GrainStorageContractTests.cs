using Granary.Runtime.Storage;

namespace Granary.Runtime.Tests.Storage;

/// <summary>The contract every <see cref="IGrainStorage"/> provider must pass (run per provider).</summary>
public abstract class GrainStorageContractTests
{
    protected abstract IGrainStorage CreateStorage();

    [Fact]
    public async Task ReadStateAsync_NothingStored_ReturnsNone()
    {
        var storage = CreateStorage();

        var record = await storage.ReadStateAsync("client", "a");

        Assert.False(record.RecordExists);
        Assert.Null(record.Payload);
    }

    [Fact]
    public async Task WriteStateAsync_FirstWriteThenRead_ReturnsPayloadAndETag()
    {
        var storage = CreateStorage();

        var etag = await storage.WriteStateAsync("client", "a", new byte[] { 1, 2, 3 }, null);
        var record = await storage.ReadStateAsync("client", "a");

        Assert.Equal(etag, record.ETag);
        Assert.Equal(new byte[] { 1, 2, 3 }, record.Payload!.Value.ToArray());
    }

    [Fact]
    public async Task WriteStateAsync_StaleETag_ThrowsInconsistentStateAndKeepsState()
    {
        var storage = CreateStorage();
        var first = await storage.WriteStateAsync("client", "a", new byte[] { 1 }, null);
        var second = await storage.WriteStateAsync("client", "a", new byte[] { 2 }, first);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("client", "a", new byte[] { 3 }, first));

        Assert.NotEqual(first, second);
        Assert.Equal(second, error.StoredETag);
        Assert.Equal(first, error.ExpectedETag);
        Assert.Equal(new byte[] { 2 }, (await storage.ReadStateAsync("client", "a")).Payload!.Value.ToArray());
    }

    [Fact]
    public async Task WriteStateAsync_NullETagButStateExists_ThrowsInconsistentState()
    {
        var storage = CreateStorage();
        await storage.WriteStateAsync("client", "a", new byte[] { 1 }, null);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("client", "a", new byte[] { 2 }, null));
    }

    [Fact]
    public async Task WriteStateAsync_CallerReusesBuffer_StoredCopyUnchanged()
    {
        var storage = CreateStorage();
        var buffer = new byte[] { 1, 2 };
        await storage.WriteStateAsync("client", "a", buffer, null);

        buffer[0] = 9;

        Assert.Equal(new byte[] { 1, 2 }, (await storage.ReadStateAsync("client", "a")).Payload!.Value.ToArray());
    }

    [Fact]
    public async Task ClearStateAsync_CurrentETag_RemovesState()
    {
        var storage = CreateStorage();
        var etag = await storage.WriteStateAsync("client", "a", new byte[] { 1 }, null);

        await storage.ClearStateAsync("client", "a", etag);

        Assert.False((await storage.ReadStateAsync("client", "a")).RecordExists);
        Assert.NotEqual(etag, await storage.WriteStateAsync("client", "a", new byte[] { 1 }, null));
    }

    [Fact]
    public async Task ClearStateAsync_StaleETag_ThrowsInconsistentState()
    {
        var storage = CreateStorage();
        var first = await storage.WriteStateAsync("client", "a", new byte[] { 1 }, null);
        await storage.WriteStateAsync("client", "a", new byte[] { 2 }, first);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("client", "a", first));
    }

    [Fact]
    public async Task WriteStateAsync_DifferentGrains_Independent()
    {
        var storage = CreateStorage();

        await storage.WriteStateAsync("client", "a", new byte[] { 1 }, null);
        await storage.WriteStateAsync("backend", "a", new byte[] { 2 }, null);

        Assert.Equal(new byte[] { 1 }, (await storage.ReadStateAsync("client", "a")).Payload!.Value.ToArray());
        Assert.Equal(new byte[] { 2 }, (await storage.ReadStateAsync("backend", "a")).Payload!.Value.ToArray());
    }
}

public sealed class InMemoryGrainStorageTests : GrainStorageContractTests
{
    protected override IGrainStorage CreateStorage() => new InMemoryGrainStorage();
}
