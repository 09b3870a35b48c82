using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;

namespace Granary.Silo.Tests;

/// <summary>An in-memory registry that counts the operations the silo makes, to show a page costs O(page), not O(registry).</summary>
public sealed class CountingClientRegistry : IClientRegistry
{
    private readonly InMemoryClientRegistry _inner = new();
    private int _gets;
    private int _lists;
    private int _searches;
    private int _counts;
    private int _registeredAmong;

    public int Gets => Volatile.Read(ref _gets);

    public int Lists => Volatile.Read(ref _lists);

    public int Searches => Volatile.Read(ref _searches);

    public int Counts => Volatile.Read(ref _counts);

    public int RegisteredAmongCalls => Volatile.Read(ref _registeredAmong);

    /// <summary>Registers <c>user0</c> … <c>user{n-1}</c> (capacity 100, 10/s), inserted in ordinal order so filling is cheap.</summary>
    public void Seed(int n)
    {
        var ids = Enumerable.Range(0, n).Select(static i => "user" + i).Order(StringComparer.Ordinal);
        foreach (var id in ids)
            _inner.CreateAsync(id, new ClientLimits(100, 10)).AsTask().GetAwaiter().GetResult();
    }

    public void Reset()
    {
        Interlocked.Exchange(ref _gets, 0);
        Interlocked.Exchange(ref _lists, 0);
        Interlocked.Exchange(ref _searches, 0);
        Interlocked.Exchange(ref _counts, 0);
        Interlocked.Exchange(ref _registeredAmong, 0);
    }

    public ValueTask<ClientRecord?> GetAsync(string clientId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _gets);
        return _inner.GetAsync(clientId, cancellationToken);
    }

    public ValueTask<IReadOnlyList<ClientRecord>> ListAsync(string? afterId, int limit, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _lists);
        return _inner.ListAsync(afterId, limit, cancellationToken);
    }

    public ValueTask<IReadOnlyList<ClientRecord>> SearchAsync(string? prefix, string? afterId, int limit, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _searches);
        return _inner.SearchAsync(prefix, afterId, limit, cancellationToken);
    }

    public ValueTask<long> CountAsync(string? prefix, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _counts);
        return _inner.CountAsync(prefix, cancellationToken);
    }

    public ValueTask<IReadOnlySet<string>> RegisteredAmongAsync(IReadOnlyCollection<string> clientIds, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _registeredAmong);
        return _inner.RegisteredAmongAsync(clientIds, cancellationToken);
    }

    public ValueTask<bool> CreateAsync(string clientId, ClientLimits limits, CancellationToken cancellationToken = default) => _inner.CreateAsync(clientId, limits, cancellationToken);

    public ValueTask<bool> UpdateAsync(string clientId, ClientLimits limits, CancellationToken cancellationToken = default) => _inner.UpdateAsync(clientId, limits, cancellationToken);

    public ValueTask<bool> DeleteAsync(string clientId, CancellationToken cancellationToken = default) => _inner.DeleteAsync(clientId, cancellationToken);
}
