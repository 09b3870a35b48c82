using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Granary.Grains;

/// <summary>
/// The client grain (<see cref="IClientGrain"/>, grain type <c>"client"</c>, key = client id): one
/// <see cref="TokenBucket"/> per client, shared by every gateway. On activation it reads the
/// client's limits from <see cref="IClientRegistry"/>, else uses <see cref="ClientDefaultsOptions"/>.
/// A registry or storage failure fails the activation (the call that caused it fails; the next call tries again).
/// </summary>
/// <remarks>
/// <para><b>Persistence.</b> The bucket survives deactivation, a silo restart and failover: its
/// tokens and counters are a <see cref="ClientBucketState"/> in grain storage
/// <see cref="GrainStorageNames.Default"/> under state name <see cref="StateName"/>. On activation the
/// stored tokens are restored and refilled for the wall-clock time elapsed since they were stored
/// (<see cref="TimeProvider.GetUtcNow"/>; clamped to the capacity; a clock that went backwards adds
/// nothing); with nothing stored the bucket starts full.</para>
/// <para><b>Bounded write-behind.</b> A request only marks the bucket changed (no I/O). A grain
/// timer every <see cref="BucketPersistenceOptions.WriteBehindIntervalMs"/> (≤ 1 s) writes the
/// changed bucket once, interleaved with requests (they never wait on the database); deactivation
/// writes it at once. So storage sees at most one write per active client per interval.</para>
/// <para><b>Over-admission bound.</b> After a graceful deactivation or shutdown nothing is lost.
/// When a silo dies, the next activation starts from the last stored state, so it re-grants the
/// tokens spent since then: the over-admission is at most the tokens the client was admitted during
/// the last write-behind interval plus the write's latency (≤ ~1 s of its traffic). While storage
/// is unreachable the window grows to the time since the last successful write. Two activations
/// cannot both keep writing: an etag conflict (<see cref="InconsistentStateException"/>)
/// deactivates the stale one.</para>
/// </remarks>
/// <param name="state">The persisted bucket (Orleans's <see cref="IPersistentState{TState}"/>).</param>
/// <param name="registry">Where registered limits live.</param>
/// <param name="defaults">Limits of clients the registry does not know.</param>
/// <param name="persistence">The write-behind interval.</param>
/// <param name="time">The clock (tests inject a fake one).</param>
/// <param name="logger">Logs failed writes.</param>
[GrainType(GrainTypes.Client)]
public sealed partial class ClientGrain(
    [PersistentState(ClientGrain.StateName, GrainStorageNames.Default)] IPersistentState<ClientBucketState> state,
    IClientRegistry registry,
    IOptions<ClientDefaultsOptions> defaults,
    IOptions<BucketPersistenceOptions> persistence,
    TimeProvider time,
    ILogger<ClientGrain> logger) : Grain, IClientGrain
{
    /// <summary>The state name of the persisted bucket: <c>"bucket"</c>.</summary>
    public const string StateName = "bucket";

    /// <summary><see cref="ClientGrainState.LimitsSource"/> when the limits come from the registry (or the admin API).</summary>
    public const string RegistrySource = "registry";

    /// <summary><see cref="ClientGrainState.LimitsSource"/> when the limits are the configured defaults.</summary>
    public const string DefaultSource = "default";

    /// <summary>A lease takes at most capacity / this many tokens (at least 1): 4.</summary>
    public const int MaxLeaseShare = 4;

    private TokenBucket? _bucket;
    private string _source = DefaultSource;
    private long _admitted;
    private long _rejected;
    private bool _dirty;
    private Task? _write;

    private TokenBucket Bucket => _bucket ?? throw new InvalidOperationException("The client grain is not activated.");

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        var record = await registry.GetAsync(key, cancellationToken);
        var limits = record?.Limits ?? DefaultLimits();
        _source = record is null ? DefaultSource : RegistrySource;
        _bucket = new TokenBucket(limits.Capacity, limits.RatePerSec, time);
        // Orleans has read the state before activation; restore what a previous activation stored.
        if (state.RecordExists)
            Restore(state.State);
        var interval = TimeSpan.FromMilliseconds(persistence.Value.WriteBehindIntervalMs);
        this.RegisterGrainTimer(static (grain, _) => grain.WriteIfChangedAsync(), this,
            new GrainTimerCreationOptions(interval, interval) { Interleave = true, KeepAlive = false });
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            await WriteIfChangedAsync();
        }
        catch (Exception ex)
        {
            LogWriteFailed(logger, ex, this.GetPrimaryKeyString());
        }
    }

    /// <summary>Restores tokens and counters, refilling for the wall-clock time since the state was stored.</summary>
    private void Restore(ClientBucketState stored)
    {
        var bucket = Bucket;
        var elapsedMs = time.GetUtcNow().ToUnixTimeMilliseconds() - stored.UpdatedAtUnixMs;
        var refill = elapsedMs > 0 ? elapsedMs / 1000.0 * bucket.RatePerSec : 0;
        bucket.Restore(Math.Min(bucket.Capacity, Math.Max(0, stored.Tokens) + refill));
        _admitted = stored.Admitted;
        _rejected = stored.Rejected;
    }

    /// <summary>
    /// Writes the bucket when it changed since the last write; one write at a time (a timer tick
    /// during a slow write waits for it). A failed write leaves the bucket marked changed, so the
    /// next tick retries; an etag conflict means another activation owns the client now, so this
    /// one deactivates.
    /// </summary>
    private async Task WriteIfChangedAsync()
    {
        if (_write is { } pending)
            await pending;
        if (!_dirty)
            return;
        _dirty = false;
        state.State = new ClientBucketState(Bucket.Tokens, time.GetUtcNow().ToUnixTimeMilliseconds(), _admitted, _rejected);
        var write = state.WriteStateAsync();
        _write = write;
        try
        {
            await write;
        }
        catch (InconsistentStateException ex)
        {
            LogConflict(logger, ex, this.GetPrimaryKeyString());
            this.DeactivateOnIdle();
        }
        catch (Exception ex)
        {
            _dirty = true;
            LogWriteFailed(logger, ex, this.GetPrimaryKeyString());
        }
        finally
        {
            _write = null;
        }
    }

    /// <inheritdoc />
    public ValueTask<RateLimitDecision> TryAcquireAsync(AcquireTokens request)
    {
        var decision = Bucket.TryAcquire(request.Tokens);
        if (decision.Admitted)
            _admitted++;
        else
            _rejected++;
        _dirty = true;
        return ValueTask.FromResult(decision);
    }

    /// <inheritdoc />
    /// <remarks>Granted tokens count as admitted (the gateway spends them); rejections in batched mode happen at the gateway and are not counted here.</remarks>
    public ValueTask<TokenLease> LeaseTokensAsync(LeaseTokens request)
    {
        if (request.Validate() is { } error)
            throw new ArgumentException(error, nameof(request));
        var bucket = Bucket;
        // At most a quarter of the capacity per lease, so one gateway cannot hoard a small bucket.
        var requested = (int)Math.Min(request.Requested, Math.Max(1, bucket.Capacity / MaxLeaseShare));
        var granted = bucket.Lease(requested, request.Returned, out var remaining, out var reset, out var nextTokenMs);
        _admitted += granted;
        _dirty = true;
        return ValueTask.FromResult(new TokenLease(granted, bucket.Capacity, remaining, reset, nextTokenMs));
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The limits are invalid (<see cref="ClientLimits.Validate"/>).</exception>
    public ValueTask SetLimitsAsync(ClientLimits limits)
    {
        if (limits.Validate() is { } error)
            throw new ArgumentException(error, nameof(limits));
        Bucket.SetLimits(limits.Capacity, limits.RatePerSec);
        _source = RegistrySource;
        _dirty = true;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask ResetLimitsAsync()
    {
        var limits = DefaultLimits();
        Bucket.SetLimits(limits.Capacity, limits.RatePerSec);
        _source = DefaultSource;
        _dirty = true;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<ClientGrainState> GetStateAsync()
    {
        var bucket = Bucket;
        return ValueTask.FromResult(new ClientGrainState(this.GetPrimaryKeyString(), bucket.Capacity, bucket.RatePerSec, bucket.Tokens, _admitted, _rejected, _source));
    }

    private ClientLimits DefaultLimits() => new(defaults.Value.DefaultCapacity, defaults.Value.DefaultRatePerSec);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Client {Client}: writing its bucket to grain storage failed; it stays marked changed and is retried on the next write-behind tick")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string client);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Client {Client}: another activation wrote its bucket (etag conflict); this activation deactivates")]
    private static partial void LogConflict(ILogger logger, Exception exception, string client);
}
