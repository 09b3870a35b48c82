using Granary.Runtime.Storage;

namespace Granary.Runtime.Tests.Storage;

/// <summary>In-memory storage that counts calls and can be switched to fail like an unreachable database.</summary>
internal class CountingStorage : IGrainStorage
{
    private readonly InMemoryGrainStorage _inner = new();
    private int _singleWrites;

    /// <summary>While true every call throws <see cref="IOException"/> (database down).</summary>
    public volatile bool Down;

    public int SingleWrites => Volatile.Read(ref _singleWrites);

    public InMemoryGrainStorage Inner => _inner;

    public Task<GrainStateRecord> ReadStateAsync(string grainType, string key, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return _inner.ReadStateAsync(grainType, key, cancellationToken);
    }

    public Task<string> WriteStateAsync(string grainType, string key, ReadOnlyMemory<byte> payload, string? expectedETag, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        Interlocked.Increment(ref _singleWrites);
        return _inner.WriteStateAsync(grainType, key, payload, expectedETag, cancellationToken);
    }

    public Task ClearStateAsync(string grainType, string key, string? expectedETag, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return _inner.ClearStateAsync(grainType, key, expectedETag, cancellationToken);
    }

    /// <summary>The stored payload decoded as a counter total, or null.</summary>
    public async Task<int?> StoredTotalAsync(string grainType, string key)
    {
        var record = await _inner.ReadStateAsync(grainType, key);
        return record.Payload is { } payload ? BitConverter.ToInt32(payload.Span) : null;
    }

    protected void ThrowIfDown()
    {
        if (Down)
            throw new IOException("database down (test)");
    }
}

/// <summary><see cref="CountingStorage"/> with batched writes, recording every batch.</summary>
internal sealed class CountingBatchedStorage : CountingStorage, IBatchedGrainStorage
{
    private readonly List<IReadOnlyList<GrainWrite>> _batches = [];

    public IReadOnlyList<IReadOnlyList<GrainWrite>> Batches
    {
        get { lock (_batches) return _batches.ToList(); }
    }

    public Task<IReadOnlyList<GrainWriteResult>> WriteManyAsync(IReadOnlyList<GrainWrite> writes, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        lock (_batches)
            _batches.Add(writes.Select(w => w with { Payload = w.Payload.ToArray() }).ToList());
        return Inner.WriteManyAsync(writes, cancellationToken);
    }
}
