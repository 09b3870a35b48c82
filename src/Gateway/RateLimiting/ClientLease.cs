using Granary.Grains.Contracts;

namespace Granary.Gateway.RateLimiting;

/// <summary>
/// One client's token lease at this gateway (batched mode): the tokens leased from its client grain
/// and not yet spent (spent lock-free, one compare-and-swap per request), the one lease request in
/// flight, the time before which asking again is pointless (the bucket was empty), and the
/// bucket's last figures for the <c>RateLimit-*</c> headers. Closed (tokens handed back) when evicted;
/// a closed lease admits nothing and the caller looks the client up again.
/// </summary>
internal sealed class ClientLease(string clientId, long now)
{
    private const int ClosedBalance = int.MinValue;

    private readonly Lock _gate = new();
    private int _balance;
    private long _lastUsed = now;
    private long _emptyUntil;
    private int _waiting;
    private Task<TokenLease>? _pending;

    // The grain's last figures, replaced whole by each grant, so a request reads them without a lock.
    private Figures _figures = Figures.None;

    public string ClientId { get; } = clientId;

    /// <summary>Unspent leased tokens (0 once closed).</summary>
    public int Balance => Math.Max(0, Volatile.Read(ref _balance));

    public bool IsClosed => Volatile.Read(ref _balance) == ClosedBalance;

    /// <summary>The <see cref="TimeProvider"/> timestamp of the last request.</summary>
    public long LastUsed => Volatile.Read(ref _lastUsed);

    /// <summary>Before this timestamp the bucket is known to hold no whole token: no lease request is sent.</summary>
    public long EmptyUntil => Volatile.Read(ref _emptyUntil);

    /// <summary>The lease request in flight, or null.</summary>
    public Task<TokenLease>? Pending => Volatile.Read(ref _pending);

    public void Touch(long now)
    {
        if (Volatile.Read(ref _lastUsed) < now)
            Volatile.Write(ref _lastUsed, now);
    }

    /// <summary>Spends one leased token; false when none is left (or the lease is closed). <paramref name="left"/> = tokens left after it.</summary>
    public bool TryTake(out int left)
    {
        var balance = Volatile.Read(ref _balance);
        while (balance > 0)
        {
            var seen = Interlocked.CompareExchange(ref _balance, balance - 1, balance);
            if (seen == balance)
            {
                left = balance - 1;
                return true;
            }
            balance = seen;
        }
        left = 0;
        return false;
    }

    /// <summary>
    /// The running lease request, or a new one from <paramref name="start"/>(tokens wanted) when none
    /// runs (wanted = <paramref name="leaseTokens"/> − the balance + the waiting requests); null when the lease is closed.
    /// </summary>
    public Task<TokenLease>? GetOrStartRefill(int leaseTokens, Func<ClientLease, int, Task<TokenLease>> start)
    {
        lock (_gate)
        {
            if (_pending is not null)
                return _pending;
            var balance = Volatile.Read(ref _balance);
            if (balance == ClosedBalance)
                return null;
            // Top up to a full batch, plus one token for every request already waiting for this lease.
            var wanted = Math.Max(1, leaseTokens - Math.Max(0, balance) + Volatile.Read(ref _waiting));
            var task = start(this, wanted);
            // A call that completed synchronously has already run ClearPending: keep only a running one.
            if (!task.IsCompleted)
                Volatile.Write(ref _pending, task);
            return task;
        }
    }

    /// <summary>A request starts waiting for the lease request in flight (counted into the next request's size).</summary>
    public void BeginWait() => Interlocked.Increment(ref _waiting);

    /// <summary>A request stopped waiting.</summary>
    public void EndWait() => Interlocked.Decrement(ref _waiting);

    /// <summary>Ends the running lease request (its continuation calls this before the task completes).</summary>
    public void ClearPending()
    {
        lock (_gate)
            Volatile.Write(ref _pending, null);
    }

    /// <summary>Adds a grant and takes the bucket's figures (no lock: the figures are one reference); false (nothing added) when the lease was closed meanwhile: the caller hands the tokens back.</summary>
    public bool Apply(in TokenLease lease, long now, long nextTokenTicks)
    {
        Volatile.Write(ref _figures, new Figures(lease.Limit, lease.Remaining, lease.ResetSeconds));
        Volatile.Write(ref _emptyUntil, lease.NextTokenMs > 0 ? now + nextTokenTicks : 0);
        var balance = Volatile.Read(ref _balance);
        while (balance != ClosedBalance)
        {
            var seen = Interlocked.CompareExchange(ref _balance, balance + lease.Granted, balance);
            if (seen == balance)
                return true;
            balance = seen;
        }
        return false;
    }

    /// <summary>Closes the lease; returns the unspent tokens to hand back (0 when already closed).</summary>
    public int Close()
    {
        var balance = Interlocked.Exchange(ref _balance, ClosedBalance);
        return balance == ClosedBalance ? 0 : Math.Max(0, balance);
    }

    /// <summary>An admission after spending a leased token: remaining = the bucket's last figure + the tokens still held here.</summary>
    public RateLimitDecision Admitted(int left)
    {
        var f = Volatile.Read(ref _figures);
        return new RateLimitDecision(true, f.Limit, Math.Min(f.Limit, f.Remaining + left), 0, f.ResetSeconds);
    }

    /// <summary>A rejection: no leased token here and none in the bucket until <see cref="EmptyUntil"/>.</summary>
    public RateLimitDecision Rejected(long now, TimeProvider time)
    {
        var until = EmptyUntil;
        var retry = until > now ? (int)Math.Min(int.MaxValue, Math.Ceiling(time.GetElapsedTime(now, until).TotalSeconds)) : 1;
        var f = Volatile.Read(ref _figures);
        return new RateLimitDecision(false, f.Limit, Math.Max(0, f.Remaining), Math.Max(1, retry), f.ResetSeconds);
    }

    private sealed record Figures(long Limit, long Remaining, int ResetSeconds)
    {
        public static readonly Figures None = new(0, 0, 0);
    }
}
