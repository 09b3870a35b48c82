using System.Collections.Concurrent;
using Granary.Gateway.Configuration;
using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.RateLimiting;

/// <summary>
/// Per-client token buckets kept in this gateway, used only while the silo is unreachable
/// (limits <see cref="RateLimitOptions.FallbackCapacity"/> and <see cref="RateLimitOptions.FallbackRatePerSec"/>).
/// Bounded: when more than <see cref="RateLimitOptions.FallbackMaxClients"/> clients are tracked the
/// table is cleared (every client starts again with a full bucket).
/// </summary>
internal sealed class LocalRateLimiter
{
    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly long _capacity;
    private readonly double _ratePerSec;
    private readonly int _maxClients;
    private int _count;

    public LocalRateLimiter(TimeProvider time, IOptions<RateLimitOptions> options)
    {
        _time = time;
        _capacity = options.Value.FallbackCapacity;
        _ratePerSec = options.Value.FallbackRatePerSec;
        _maxClients = options.Value.FallbackMaxClients;
    }

    /// <summary>Clients tracked now (approximate).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Takes one token from the client's local bucket.</summary>
    public RateLimitDecision TryAcquire(string clientId)
    {
        if (!_buckets.TryGetValue(clientId, out var bucket))
        {
            if (Interlocked.Increment(ref _count) > _maxClients)
            {
                _buckets.Clear();
                Volatile.Write(ref _count, 1);
            }
            bucket = _buckets.GetOrAdd(clientId, static (_, self) => new TokenBucket(self._capacity, self._ratePerSec, self._time), this);
        }
        return bucket.TryAcquire(1);
    }
}
