using System.Globalization;

namespace Granary.Runtime.Storage;

/// <summary>
/// <see cref="IGrainStorage"/> in process memory: one lock makes each operation atomic; etags
/// are a process-wide counter, so an etag is never reused (even after a clear). Lost on restart.
/// </summary>
internal sealed class InMemoryGrainStorage : IBatchedGrainStorage
{
    private readonly object _gate = new();
    private readonly Dictionary<(string GrainType, string Key), (byte[] Payload, string ETag)> _states = [];
    private long _nextETag;

    public Task<GrainStateRecord> ReadStateAsync(string grainType, string key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_states.TryGetValue((grainType, key), out var stored)
                ? new GrainStateRecord(stored.Payload.ToArray(), stored.ETag)
                : GrainStateRecord.None);
        }
    }

    public Task<string> WriteStateAsync(string grainType, string key, ReadOnlyMemory<byte> payload, string? expectedETag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainType);
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var current = _states.TryGetValue((grainType, key), out var stored) ? stored.ETag : null;
            if (!string.Equals(current, expectedETag, StringComparison.Ordinal))
                throw Conflict("write", grainType, key, current, expectedETag);
            var etag = (++_nextETag).ToString(CultureInfo.InvariantCulture);
            _states[(grainType, key)] = (payload.ToArray(), etag);
            return Task.FromResult(etag);
        }
    }

    public Task ClearStateAsync(string grainType, string key, string? expectedETag, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var current = _states.TryGetValue((grainType, key), out var stored) ? stored.ETag : null;
            if (!string.Equals(current, expectedETag, StringComparison.Ordinal))
                throw Conflict("clear", grainType, key, current, expectedETag);
            _states.Remove((grainType, key));
            return Task.CompletedTask;
        }
    }

    public Task<IReadOnlyList<GrainWriteResult>> WriteManyAsync(IReadOnlyList<GrainWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        cancellationToken.ThrowIfCancellationRequested();
        var seen = new HashSet<(string, string)>();
        foreach (var write in writes)
        {
            ArgumentNullException.ThrowIfNull(write.GrainType, nameof(writes));
            ArgumentNullException.ThrowIfNull(write.Key, nameof(writes));
            if (!seen.Add((write.GrainType, write.Key)))
                throw new ArgumentException($"Two writes name grain {write.GrainType}/{write.Key}; a batch holds at most one per grain.", nameof(writes));
        }
        var results = new GrainWriteResult[writes.Count];
        lock (_gate)
        {
            for (var i = 0; i < writes.Count; i++)
            {
                var write = writes[i];
                var current = _states.TryGetValue((write.GrainType, write.Key), out var stored) ? stored.ETag : null;
                if (!string.Equals(current, write.ExpectedETag, StringComparison.Ordinal))
                {
                    results[i] = GrainWriteResult.Conflict(current);
                    continue;
                }
                var etag = (++_nextETag).ToString(CultureInfo.InvariantCulture);
                _states[(write.GrainType, write.Key)] = (write.Payload.ToArray(), etag);
                results[i] = GrainWriteResult.Written(etag);
            }
        }
        return Task.FromResult<IReadOnlyList<GrainWriteResult>>(results);
    }

    private static InconsistentStateException Conflict(string operation, string grainType, string key, string? stored, string? expected) =>
        new($"Cannot {operation} state of {grainType}/{key}: stored etag is '{stored ?? "(none)"}', expected '{expected ?? "(none)"}'.", stored, expected);
}
