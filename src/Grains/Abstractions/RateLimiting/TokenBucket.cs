using System.Diagnostics;
using Granary.Grains.Contracts;

namespace Granary.Grains.RateLimiting;

/// <summary>
/// A token bucket: holds up to <see cref="Capacity"/> tokens (the burst), refills continuously at
/// <see cref="RatePerSec"/> tokens/s, and admits a request that takes n tokens only when n are there.
/// Refill is lazy: each operation first adds <c>elapsed × rate</c> (capped at capacity), with elapsed
/// time read from the monotonic clock of the injected <see cref="TimeProvider"/>
/// (<see cref="TimeProvider.GetTimestamp"/>), so wall-clock jumps change nothing. Tokens are kept as
/// a <see cref="double"/>, so fractional rates (0.5 tokens/s) are exact over time. The shape follows
/// System.Threading.RateLimiting's <c>TokenBucketRateLimiter</c> (options checked in the
/// constructor, monotonic time, invariants asserted after every change), with continuous rather
/// than periodic replenishment. Thread-safe (one short lock per operation).
/// </summary>
public sealed class TokenBucket
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private long _capacity;
    private double _ratePerSec;
    private double _tokens;
    private long _lastRefill;

    /// <summary>Creates a bucket.</summary>
    /// <param name="capacity">Capacity (burst), tokens; 1 to <see cref="ClientLimits.MaxCapacity"/>.</param>
    /// <param name="ratePerSec">Refill rate, tokens/s; greater than 0, at most <see cref="ClientLimits.MaxRatePerSec"/>.</param>
    /// <param name="timeProvider">The clock (monotonic timestamps are used).</param>
    /// <param name="startFull">True (the default) to start with <paramref name="capacity"/> tokens, false to start empty.</param>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range.</exception>
    public TokenBucket(long capacity, double ratePerSec, TimeProvider timeProvider, bool startFull = true)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ValidateLimits(capacity, ratePerSec);
        _timeProvider = timeProvider;
        _capacity = capacity;
        _ratePerSec = ratePerSec;
        _tokens = startFull ? capacity : 0;
        _lastRefill = timeProvider.GetTimestamp();
        AssertInvariants();
    }

    /// <summary>Capacity (burst), tokens.</summary>
    public long Capacity
    {
        get { lock (_gate) return _capacity; }
    }

    /// <summary>Refill rate, tokens/s.</summary>
    public double RatePerSec
    {
        get { lock (_gate) return _ratePerSec; }
    }

    /// <summary>Tokens in the bucket now (after lazy refill), fractional, 0 ≤ value ≤ <see cref="Capacity"/>.</summary>
    public double Tokens
    {
        get
        {
            lock (_gate)
            {
                Refill();
                return _tokens;
            }
        }
    }

    /// <summary>
    /// Takes <paramref name="tokens"/> tokens if that many are in the bucket (after refill);
    /// otherwise takes nothing. The decision carries the <c>RateLimit-*</c> figures:
    /// <c>Remaining = floor(tokens left)</c>; when rejected,
    /// <c>RetryAfterSeconds = max(1, ceil((n − tokens) / rate))</c> (for n above the capacity, which can never
    /// succeed, the time to a full bucket, at least 1); <c>ResetSeconds = ceil((capacity − tokens) / rate)</c>.
    /// Seconds saturate at <see cref="int.MaxValue"/>.
    /// </summary>
    /// <param name="tokens">Tokens to take, ≥ 0 (0 only reports the state).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tokens"/> is negative.</exception>
    public RateLimitDecision TryAcquire(int tokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        lock (_gate)
        {
            Refill();
            if (tokens <= _tokens)
            {
                _tokens -= tokens;
                AssertInvariants();
                return new RateLimitDecision(true, _capacity, Remaining(), 0, SecondsUntil(_capacity - _tokens));
            }
            var shortfall = tokens > _capacity ? _capacity - _tokens : tokens - _tokens;
            return new RateLimitDecision(false, _capacity, Remaining(), Math.Max(1, SecondsUntil(shortfall)), SecondsUntil(_capacity - _tokens));
        }
    }

    /// <summary>
    /// Adds <paramref name="returned"/> tokens back (capped at the capacity), then takes up to
    /// <paramref name="requested"/> whole tokens, as many as the bucket holds (batched mode: a lease
    /// to a gateway). <paramref name="nextTokenMs"/> is 0 when all were granted, else the ms until
    /// one whole token is there again (at least 1, saturating at <see cref="int.MaxValue"/>).
    /// </summary>
    /// <param name="requested">Tokens wanted, ≥ 0.</param>
    /// <param name="returned">Unspent tokens given back, ≥ 0.</param>
    /// <param name="remaining">Whole tokens left after the grant.</param>
    /// <param name="resetSeconds">Seconds until the bucket is full again.</param>
    /// <param name="nextTokenMs">See above.</param>
    /// <returns>The tokens granted, 0 to <paramref name="requested"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public int Lease(int requested, int returned, out long remaining, out int resetSeconds, out int nextTokenMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requested);
        ArgumentOutOfRangeException.ThrowIfNegative(returned);
        lock (_gate)
        {
            Refill();
            _tokens = Math.Min(_capacity, _tokens + returned);
            var granted = (int)Math.Min(requested, Math.Floor(_tokens));
            _tokens -= granted;
            AssertInvariants();
            remaining = Remaining();
            resetSeconds = SecondsUntil(_capacity - _tokens);
            nextTokenMs = 0;
            if (granted < requested)
            {
                var ms = Math.Ceiling((1 - (_tokens - Math.Floor(_tokens))) / _ratePerSec * 1000);
                nextTokenMs = ms >= int.MaxValue ? int.MaxValue : Math.Max(1, (int)ms);
            }
            return granted;
        }
    }

    /// <summary>Replaces the limits. Tokens accrued so far count at the old rate; the bucket keeps its tokens, clamped to the new capacity.</summary>
    /// <param name="capacity">New capacity, tokens (as in the constructor).</param>
    /// <param name="ratePerSec">New refill rate, tokens/s (as in the constructor).</param>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range.</exception>
    public void SetLimits(long capacity, double ratePerSec)
    {
        ValidateLimits(capacity, ratePerSec);
        lock (_gate)
        {
            Refill();
            _capacity = capacity;
            _ratePerSec = ratePerSec;
            _tokens = Math.Min(_tokens, capacity);
            AssertInvariants();
        }
    }

    /// <summary>Fills the bucket to capacity.</summary>
    public void Fill()
    {
        lock (_gate)
        {
            Refill();
            _tokens = _capacity;
            AssertInvariants();
        }
    }

    /// <summary>
    /// Sets the tokens in the bucket to <paramref name="tokens"/>, clamped to 0–<see cref="Capacity"/>,
    /// as of now (refill restarts from this moment). Used to restore a bucket persisted before a
    /// restart or failover; the caller adds the refill for the time it was away.
    /// </summary>
    /// <param name="tokens">Tokens, fractional; values below 0 count as 0, above the capacity as the capacity.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tokens"/> is NaN.</exception>
    public void Restore(double tokens)
    {
        if (double.IsNaN(tokens))
            throw new ArgumentOutOfRangeException(nameof(tokens), tokens, "Tokens must be a number.");
        lock (_gate)
        {
            _lastRefill = _timeProvider.GetTimestamp();
            _tokens = Math.Clamp(tokens, 0, _capacity);
            AssertInvariants();
        }
    }

    private static void ValidateLimits(long capacity, double ratePerSec)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, ClientLimits.MaxCapacity);
        if (!(ratePerSec > 0 && ratePerSec <= ClientLimits.MaxRatePerSec))
            throw new ArgumentOutOfRangeException(nameof(ratePerSec), ratePerSec, $"The refill rate must be greater than 0 and at most {ClientLimits.MaxRatePerSec} tokens/s.");
    }

    private void Refill()
    {
        var now = _timeProvider.GetTimestamp();
        var elapsed = _timeProvider.GetElapsedTime(_lastRefill, now).TotalSeconds;
        _lastRefill = now;
        if (elapsed > 0 && _tokens < _capacity)
            _tokens = Math.Min(_capacity, _tokens + (elapsed * _ratePerSec));
        AssertInvariants();
    }

    private long Remaining() => (long)Math.Floor(_tokens);

    private int SecondsUntil(double tokens)
    {
        if (tokens <= 0)
            return 0;
        var seconds = Math.Ceiling(tokens / _ratePerSec);
        return seconds >= int.MaxValue ? int.MaxValue : (int)seconds;
    }

    private void AssertInvariants()
    {
        Debug.Assert(_tokens >= 0, $"Tokens {_tokens} < 0.");
        Debug.Assert(_tokens <= _capacity, $"Tokens {_tokens} > capacity {_capacity}.");
        Debug.Assert(_ratePerSec > 0, "Rate must be positive.");
    }
}
