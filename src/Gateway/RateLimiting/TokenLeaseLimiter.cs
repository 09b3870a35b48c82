using System.Collections.Concurrent;
using System.Collections.Frozen;
using Granary.Gateway.Cluster;
using Granary.Gateway.Configuration;
using Granary.Gateway.Diagnostics;
using Granary.Gateway.Fallback;
using Granary.Grains.Contracts;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.RateLimiting;

/// <summary>
/// Batched rate limiting: the gateway leases tokens from each client's grain in batches of up to
/// <see cref="RateLimitOptions.LeaseTokens"/> plus one per waiting request (<see cref="IClientGrain.LeaseTokensAsync"/>,
/// which grants at most a quarter of the bucket's capacity at a time) and spends
/// them locally, one compare-and-swap per request, in the way of Doorman's capacity leases and
/// Gubernator's GLOBAL behaviour. A new lease is requested in the background when half the batch is
/// spent; a request that finds no token waits for the lease request in flight (one grain round trip,
/// as in exact mode). When the grain grants nothing the bucket is empty until the next whole token
/// (<see cref="TokenLease.NextTokenMs"/>), and until then requests are rejected here without a call.
/// </summary>
/// <remarks>
/// <para><b>Bound.</b> The grain never grants more than its bucket holds, so the long-run rate is exact.
/// Tokens a gateway holds are outside the bucket, which meanwhile refills: the over-admission beyond
/// the bucket's own burst is at most one lease per gateway per client: min(<see cref="RateLimitOptions.LeaseTokens"/>
/// + waiting requests, capacity / 4) tokens (plus exact mode's failover bound). A lowered limit takes effect once the leased tokens are
/// spent. Unspent tokens are handed back after <see cref="RateLimitOptions.LeaseIdleMs"/> without a
/// request and at shutdown; a gateway that dies loses at most that many (under-admission).</para>
/// <para><b>Headers.</b> <c>RateLimit-Remaining</c> is the bucket's figure at the last lease plus the
/// tokens still held here.</para>
/// </remarks>
internal sealed class TokenLeaseLimiter : BackgroundService
{
    // A request gives up (429) after this many lease requests that each granted tokens to others first.
    private const int MaxAttempts = 32;

    private readonly ConcurrentDictionary<string, ClientLease> _leases = new(StringComparer.Ordinal);
    private readonly GrainReferences _grains;
    private readonly SiloCircuit _circuit;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<TokenLeaseLimiter> _logger;
    private readonly Func<ClientLease, int, Task<TokenLease>> _startLease;
    private readonly int _leaseTokens;
    private readonly int _lowWatermark;
    private readonly TimeSpan _idle;
    private readonly bool _defaultBatched;
    private readonly FrozenSet<string> _batchedClients;
    private readonly FrozenSet<string> _exactClients;

    public TokenLeaseLimiter(GrainReferences grains, SiloCircuit circuit, GatewayMetrics metrics, TimeProvider time, IOptions<RateLimitOptions> options,
        ILogger<TokenLeaseLimiter> logger)
    {
        _grains = grains;
        _circuit = circuit;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        var o = options.Value;
        _leaseTokens = o.LeaseTokens;
        _lowWatermark = o.LeaseTokens / 2;
        _idle = TimeSpan.FromMilliseconds(o.LeaseIdleMs);
        _defaultBatched = ConsistencyModes.Parse(o.Mode, RateLimitOptions.Section + ":Mode", []);
        _batchedClients = o.BatchedClients.ToFrozenSet(StringComparer.Ordinal);
        _exactClients = o.ExactClients.ToFrozenSet(StringComparer.Ordinal);
        _startLease = StartLease;
    }

    /// <summary>Clients holding a lease here now.</summary>
    public int Count => _leases.Count;

    /// <summary>Unspent leased tokens held here now, over all clients.</summary>
    public long HeldTokens
    {
        get
        {
            long total = 0;
            foreach (var lease in _leases.Values)
                total += lease.Balance;
            return total;
        }
    }

    /// <summary>True when <paramref name="clientId"/> is rate-limited in batched mode (<see cref="RateLimitOptions.Mode"/>, <see cref="RateLimitOptions.BatchedClients"/>, <see cref="RateLimitOptions.ExactClients"/>).</summary>
    public bool IsBatched(string clientId)
    {
        if (_exactClients.Count > 0 && _exactClients.Contains(clientId))
            return false;
        return _defaultBatched || (_batchedClients.Count > 0 && _batchedClients.Contains(clientId));
    }

    /// <summary>
    /// Decides one request of <paramref name="clientId"/>. Null when a grain call is needed but the
    /// <see cref="SiloCircuit"/> is open (the caller decides locally).
    /// </summary>
    /// <exception cref="Exception">The lease request this request waited for failed (the grain call's exception; already counted and fed to the circuit).</exception>
    public async ValueTask<RateLimitDecision?> AcquireAsync(string clientId)
    {
        ClientLease? lease = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var now = _time.GetTimestamp();
            lease = _leases.GetOrAdd(clientId, static (id, now) => new ClientLease(id, now), now);
            lease.Touch(now);
            if (lease.TryTake(out var left))
            {
                if (left <= _lowWatermark)
                    Prefetch(lease, now);
                return lease.Admitted(left);
            }
            if (lease.IsClosed)
                continue;
            if (now < lease.EmptyUntil)
                return lease.Rejected(now, _time);
            var pending = lease.Pending;
            if (pending is null && !_circuit.TryEnter())
                return null;
            pending ??= lease.GetOrStartRefill(_leaseTokens, _startLease);
            if (pending is null)
                continue; // closed meanwhile
            TokenLease granted;
            lease.BeginWait();
            try
            {
                granted = await pending.ConfigureAwait(false);
            }
            finally
            {
                lease.EndWait();
            }
            if (granted.Granted == 0 && lease.Balance == 0)
                return lease.Rejected(_time.GetTimestamp(), _time);
        }
        // Other requests took every granted token each time: reject rather than loop on.
        return lease!.Rejected(_time.GetTimestamp(), _time);
    }

    private void Prefetch(ClientLease lease, long now)
    {
        if (lease.Pending is not null || now < lease.EmptyUntil || !_circuit.IsClosed)
            return;
        // Observed (failures are counted in StartLease) whether it failed at once or later.
        var task = lease.GetOrStartRefill(_leaseTokens, _startLease);
        if (task is not null)
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task<TokenLease> StartLease(ClientLease lease, int wanted)
    {
        try
        {
            var grant = await _grains.Client(lease.ClientId).LeaseTokensAsync(new LeaseTokens(wanted, 0)).ConfigureAwait(false);
            _circuit.OnSuccess();
            var now = _time.GetTimestamp();
            var nextTokenTicks = (long)(grant.NextTokenMs * (double)_time.TimestampFrequency / 1000);
            if (!lease.Apply(grant, now, nextTokenTicks) && grant.Granted > 0)
                _ = ReturnAsync(lease.ClientId, grant.Granted);
            return grant;
        }
        catch (Exception ex)
        {
            _metrics.GrainCallFailed("client.lease_tokens");
            if (GrainFailures.IsFallbackError(ex, _circuit.IsConnected))
                _circuit.OnFailure(ex);
            Log.LeaseCallFailed(_logger, lease.ClientId, "lease", ex.Message);
            throw;
        }
        finally
        {
            lease.ClearPending();
        }
    }

    private async Task ReturnAsync(string clientId, int tokens)
    {
        if (!_circuit.IsConnected)
        {
            // No call while disconnected: the tokens are lost to this client's bucket (under-admission, bounded by one lease).
            _metrics.GrainCallFailed("client.return_tokens");
            Log.LeaseCallFailed(_logger, clientId, "return", "the cluster client is not connected");
            return;
        }
        try
        {
            await _grains.Client(clientId).LeaseTokensAsync(new LeaseTokens(0, tokens)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _metrics.GrainCallFailed("client.return_tokens");
            Log.LeaseCallFailed(_logger, clientId, "return", ex.Message);
        }
    }

    /// <summary>Hands back the tokens of leases idle for <see cref="RateLimitOptions.LeaseIdleMs"/> (all leases when <paramref name="all"/>); returns the tokens handed back.</summary>
    public async Task<long> EvictAsync(bool all)
    {
        var now = _time.GetTimestamp();
        List<Task>? returns = null;
        long tokens = 0;
        foreach (var (clientId, lease) in _leases)
        {
            if (!all && (_time.GetElapsedTime(lease.LastUsed, now) < _idle || lease.Pending is not null))
                continue;
            if (!_leases.TryRemove(new KeyValuePair<string, ClientLease>(clientId, lease)))
                continue;
            var unspent = lease.Close();
            if (unspent > 0)
            {
                tokens += unspent;
                (returns ??= []).Add(ReturnAsync(clientId, unspent));
            }
        }
        if (returns is not null)
            await Task.WhenAll(returns).ConfigureAwait(false);
        return tokens;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = _idle / 2;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            await EvictAsync(all: false).ConfigureAwait(false);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        // Kestrel has drained the requests: hand every unspent token back so none is lost.
        var clients = _leases.Count;
        if (clients == 0)
            return;
        try
        {
            var tokens = await EvictAsync(all: true).WaitAsync(TimeSpan.FromSeconds(3), _time, cancellationToken).ConfigureAwait(false);
            Log.LeasesReturned(_logger, tokens, clients);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            Log.LeaseCallFailed(_logger, "*", "return at shutdown", ex.Message);
        }
    }
}
