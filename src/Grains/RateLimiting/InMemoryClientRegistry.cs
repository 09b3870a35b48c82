using Granary.Grains.Contracts;

namespace Granary.Grains.RateLimiting;

/// <summary>
/// <see cref="IClientRegistry"/> in process memory (the single-machine default; lost on restart).
/// Thread-safe: one lock around a map kept in ordinal order of client id (a <see cref="SortedList{TKey, TValue}"/>:
/// pages and prefix searches are binary searches plus the page, O(log n + limit); an insert shifts the
/// arrays, O(n) memory moves, which for 100,000 clients is tens of microseconds).
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
    public ValueTask<IReadOnlyList<ClientRecord>> SearchAsync(string? prefix, string? afterId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, IClientRegistry.MaxPageSize);
        if (string.IsNullOrEmpty(prefix))
            return ListAsync(afterId, limit, cancellationToken);
        lock (_gate)
        {
            // Binary search for the start; the matches of a prefix are contiguous in ordinal order.
            var start = FirstAtOrAfter(prefix);
            if (afterId is not null)
                start = Math.Max(start, FirstAfter(afterId));
            var keys = _clients.Keys;
            var values = _clients.Values;
            var page = new List<ClientRecord>(Math.Min(limit, 64));
            for (var i = start; i < keys.Count && page.Count < limit && keys[i].StartsWith(prefix, StringComparison.Ordinal); i++)
                page.Add(values[i]);
            return ValueTask.FromResult<IReadOnlyList<ClientRecord>>(page);
        }
    }

    /// <inheritdoc />
    public ValueTask<long> CountAsync(string? prefix, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (string.IsNullOrEmpty(prefix))
                return ValueTask.FromResult<long>(_clients.Count);
            // Two binary searches: [first id >= prefix, first id >= the prefix's successor).
            var start = FirstAtOrAfter(prefix);
            var end = PrefixUpperBound(prefix) is { } upper ? FirstAtOrAfter(upper) : _clients.Count;
            return ValueTask.FromResult<long>(Math.Max(0, end - start));
        }
    }

    /// <summary>
    /// The smallest string greater (ordinally) than every string starting with <paramref name="prefix"/>:
    /// the prefix with its last char incremented (trailing U+FFFF chars dropped); null when none exists.
    /// </summary>
    internal static string? PrefixUpperBound(string prefix)
    {
        var end = prefix.Length;
        while (end > 0 && prefix[end - 1] == char.MaxValue)
            end--;
        return end == 0 ? null : string.Concat(prefix.AsSpan(0, end - 1), [(char)(prefix[end - 1] + 1)]);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlySet<string>> RegisteredAmongAsync(IReadOnlyCollection<string> clientIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientIds);
        var registered = new HashSet<string>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var id in clientIds)
            {
                if (id is not null && _clients.ContainsKey(id))
                    registered.Add(id);
            }
        }
        return ValueTask.FromResult<IReadOnlySet<string>>(registered);
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

    /// <summary>Binary search for the first key ordinally greater than <paramref name="afterId"/>.</summary>
    private int FirstAfter(string afterId) => LowerBound(afterId, inclusive: false);

    /// <summary>Binary search for the first key ordinally greater than or equal to <paramref name="value"/>.</summary>
    private int FirstAtOrAfter(string value) => LowerBound(value, inclusive: true);

    private int LowerBound(string value, bool inclusive)
    {
        var keys = _clients.Keys;
        int lo = 0, hi = keys.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = string.CompareOrdinal(keys[mid], value);
            if (c < 0 || (c == 0 && !inclusive))
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    private static void Validate(string clientId, ClientLimits limits)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        if (clientId.Length > IClientRegistry.MaxClientIdLength)
            throw new ArgumentException($"The client id is {clientId.Length} characters; the limit is {IClientRegistry.MaxClientIdLength}.", nameof(clientId));
        if (limits.Validate() is { } error)
            throw new ArgumentException(error, nameof(limits));
    }
}
