using System.Collections.Concurrent;

namespace Granary.Samples.DemoClient;

/// <summary>Thread-safe counters of one run: per backend (from <c>X-Backend-Id</c>), per gateway, 429s, errors, latencies.</summary>
public sealed class RunStatistics
{
    private readonly ConcurrentDictionary<string, Counter> _backends = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Counter> _gateways = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<double> _latenciesMs = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private int _requests;
    private int _rateLimited;
    private int _failedTiles;

    /// <summary>HTTP requests sent (every try counts).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Responses with status 429.</summary>
    public int RateLimited => Volatile.Read(ref _rateLimited);

    /// <summary>Tiles that could not be fetched.</summary>
    public int FailedTiles => Volatile.Read(ref _failedTiles);

    /// <summary>Latencies of successful tile responses, in ms (send until body read).</summary>
    public IReadOnlyCollection<double> LatenciesMs => _latenciesMs;

    /// <summary>One line per failed request (at most 1000 kept).</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    /// <summary>Per-backend counters, keyed by <c>X-Backend-Id</c> (or "(none)").</summary>
    public IReadOnlyDictionary<string, Counter> Backends => _backends;

    /// <summary>Per-gateway counters, keyed by the gateway's base URL.</summary>
    public IReadOnlyDictionary<string, Counter> Gateways => _gateways;

    /// <summary>Records one completed HTTP exchange.</summary>
    public void RecordResponse(string gateway, string? backendId, int status, double elapsedMs)
    {
        Interlocked.Increment(ref _requests);
        var ok = status == 200;
        var limited = status == 429;
        if (limited)
        {
            Interlocked.Increment(ref _rateLimited);
        }

        if (ok)
        {
            _latenciesMs.Enqueue(elapsedMs);
        }

        _gateways.GetOrAdd(gateway, _ => new Counter()).Record(ok, limited, elapsedMs);
        if (backendId is not null)
        {
            _backends.GetOrAdd(backendId, _ => new Counter()).Record(ok, limited, elapsedMs);
        }
    }

    /// <summary>Records a request that got no HTTP response (connection refused, timeout, ...).</summary>
    public void RecordTransportFailure(string gateway, string message)
    {
        Interlocked.Increment(ref _requests);
        _gateways.GetOrAdd(gateway, _ => new Counter()).Record(false, false, null);
        AddError(message);
    }

    /// <summary>Records a tile given up on.</summary>
    public void RecordFailedTile(string message)
    {
        Interlocked.Increment(ref _failedTiles);
        AddError(message);
    }

    /// <summary>The <paramref name="p"/>-th percentile (0..100, nearest rank) of <paramref name="values"/>; NaN when empty.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private void AddError(string message)
    {
        if (_errors.Count < 1000)
        {
            _errors.Enqueue(message);
        }
    }

    /// <summary>Counts for one backend or gateway.</summary>
    public sealed class Counter
    {
        private readonly ConcurrentQueue<double> _okLatenciesMs = new();
        private int _total;
        private int _ok;
        private int _rateLimited;

        /// <summary>Requests seen.</summary>
        public int Total => Volatile.Read(ref _total);

        /// <summary>Responses with status 200.</summary>
        public int Ok => Volatile.Read(ref _ok);

        /// <summary>Responses with status 429.</summary>
        public int RateLimited => Volatile.Read(ref _rateLimited);

        /// <summary>Requests neither 200 nor 429.</summary>
        public int Failed => Total - Ok - RateLimited;

        /// <summary>Latencies of the 200 responses, in ms.</summary>
        public IReadOnlyCollection<double> OkLatenciesMs => _okLatenciesMs;

        internal void Record(bool ok, bool limited, double? elapsedMs)
        {
            Interlocked.Increment(ref _total);
            if (ok)
            {
                Interlocked.Increment(ref _ok);
                _okLatenciesMs.Enqueue(elapsedMs ?? 0);
            }
            else if (limited)
            {
                Interlocked.Increment(ref _rateLimited);
            }
        }
    }
}
