using System.Globalization;
using Orleans.Storage;

namespace Granary.Grains.Tests.Fakes;

/// <summary>
/// Grain storage for the persistence tests, registered as the keyed <see cref="IGrainStorage"/>
/// <see cref="GrainStorageNames.Default"/> in the test silo. It keeps states in the test process,
/// so they outlive a silo restart (Orleans's memory storage lives in grains of the silo), enforces
/// etags as a real provider does (a stale etag throws <see cref="InconsistentStateException"/>),
/// counts write attempts and successful writes per grain, and fails writes on request.
/// </summary>
public sealed class RecordingGrainStorage : IGrainStorage
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string State, GrainId Grain), (object? Value, string ETag)> _entries = [];
    private readonly Dictionary<GrainId, int> _attempts = [];
    private readonly Dictionary<GrainId, int> _writes = [];
    private readonly Dictionary<GrainId, int> _failures = [];
    private long _nextETag;

    /// <summary>Writes of <paramref name="grain"/>'s state that reached this storage, failed or not.</summary>
    public int WriteAttempts(GrainId grain)
    {
        lock (_gate)
            return _attempts.GetValueOrDefault(grain);
    }

    /// <summary>Writes of <paramref name="grain"/>'s state that succeeded.</summary>
    public int Writes(GrainId grain)
    {
        lock (_gate)
            return _writes.GetValueOrDefault(grain);
    }

    /// <summary>The next <paramref name="count"/> writes of <paramref name="grain"/>'s state throw <see cref="IOException"/> ("database down").</summary>
    public void FailNextWrites(GrainId grain, int count)
    {
        lock (_gate)
            _failures[grain] = count;
    }

    /// <summary>The stored state of <paramref name="grain"/>, or default when none is stored.</summary>
    public T? Stored<T>(GrainId grain, string stateName)
    {
        lock (_gate)
            return _entries.TryGetValue((stateName, grain), out var entry) ? (T?)entry.Value : default;
    }

    /// <summary>Stores <paramref name="value"/> as another writer would (a new etag; not counted as a write of the grain).</summary>
    public void Put<T>(GrainId grain, string stateName, T value)
    {
        lock (_gate)
            _entries[(stateName, grain)] = (value, NewETag());
    }

    /// <summary>Forgets every stored state (a fresh database).</summary>
    public void Clear()
    {
        lock (_gate)
            _entries.Clear();
    }

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue((stateName, grainId), out var entry))
            {
                grainState.State = (T)entry.Value!;
                grainState.ETag = entry.ETag;
                grainState.RecordExists = true;
            }
            else
            {
                grainState.ETag = null;
                grainState.RecordExists = false;
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (_gate)
        {
            _attempts[grainId] = _attempts.GetValueOrDefault(grainId) + 1;
            if (_failures.GetValueOrDefault(grainId) is > 0 and var failures)
            {
                _failures[grainId] = failures - 1;
                return Task.FromException(new IOException($"test: storage unreachable while writing {grainId}"));
            }
            var stored = _entries.TryGetValue((stateName, grainId), out var entry) ? entry.ETag : null;
            if (stored != grainState.ETag)
                return Task.FromException(new InconsistentStateException($"test: etag mismatch writing {grainId}", stored, grainState.ETag));
            var etag = NewETag();
            _entries[(stateName, grainId)] = (grainState.State, etag);
            _writes[grainId] = _writes.GetValueOrDefault(grainId) + 1;
            grainState.ETag = etag;
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (_gate)
        {
            _entries.Remove((stateName, grainId));
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
        return Task.CompletedTask;
    }

    private string NewETag() => (++_nextETag).ToString(CultureInfo.InvariantCulture);
}
