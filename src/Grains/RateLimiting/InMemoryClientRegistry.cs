using Granary.Grains.Contracts;
using Granary.Runtime;

namespace Granary.Grains.RateLimiting;

/// <summary>
/// <see cref="IClientRegistry"/> in process memory (the single-machine default; lost on restart).
/// Thread-safe: one lock around a map kept in ordinal order of client id.
/// </summary>
/// <param name="timeProvider">Clock for <see cref="ClientRecord.CreatedAt"/> and <see cref="ClientRecord.UpdatedAt"/>.</param>
public sealed class InMemoryClientRegistry(TimeProvider timeProvider) : IClientRegistry
{
    private readonly Lock _gate = new();
    private readonly SortedList<string, ClientRecord> _clients = new(StringComparer.Ordinal);

    /// <summary>Creates an empty registry on the system clock.</summary>
    public InMemoryClientRegistry() : this(TimeProvider.System) { }

    /// <inheritdoc />
    public ValueTask<ClientRecord?> GetAsync(string clientId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        lock (_gate)
            return ValueTask.FromResult(_clients.GetValueOrDefault(clientId));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ClientRecord>> ListAsync(string? afterId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, IClientRegistry.MaxPageSize);
        lock (_gate)
        {
            var start = afterId is null ? 0 : FirstAfter(afterId);
            var page = new List<ClientRecord>(Math.Min(limit, Math.Max(0, _clients.Count - start)));
            for (var i = start; i < _clients.Count && page.Count < limit; i++)
                page.Add(_clients.Values[i]);
            return ValueTask.FromResult<IReadOnlyList<ClientRecord>>(page);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> CreateAsync(string clientId, ClientLimits limits, CancellationToken cancellationToken = default)
    {
        Validate(clientId, limits);
        var now = timeProvider.GetUtcNow();
        lock (_gate)
            return ValueTask.FromResult(_clients.TryAdd(clientId, new ClientRecord(clientId, limits.Capacity, limits.RatePerSec, now, now)));
    }

    /// <inheritdoc />
    public ValueTask<bool> UpdateAsync(string clientId, ClientLimits limits, CancellationToken cancellationToken = default)
    {
        Validate(clientId, limits);
        var now = timeProvider.GetUtcNow();
        lock (_gate)
        {
            if (!_clients.TryGetValue(clientId, out var existing))
                return ValueTask.FromResult(false);
            _clients[clientId] = existing with { Capacity = limits.Capacity, RatePerSec = limits.RatePerSec, UpdatedAt = now };
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string clientId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        lock (_gate)
            return ValueTask.FromResult(_clients.Remove(clientId));
    }

    private int FirstAfter(string afterId)
    {
        // Binary search for the first key ordinally greater than afterId.
        var keys = _clients.Keys;
        int lo = 0, hi = keys.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(keys[mid], afterId) <= 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    private static void Validate(string clientId, ClientLimits limits)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        if (clientId.Length > GrainId.MaxKeyLength)
            throw new ArgumentException($"The client id is {clientId.Length} characters; the limit is {GrainId.MaxKeyLength}.", nameof(clientId));
        if (limits.Validate() is { } error)
            throw new ArgumentException(error, nameof(limits));
    }
}
