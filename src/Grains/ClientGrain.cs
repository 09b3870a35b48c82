using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Granary.Runtime;
using Granary.Runtime.Storage;
using Microsoft.Extensions.Options;

namespace Granary.Grains;

/// <summary>
/// The client grain (<see cref="IClientGrain"/>, grain type <c>"client"</c>, key = client id): one
/// <see cref="TokenBucket"/> per client, shared by every gateway. On activation it reads the
/// client's limits from <see cref="IClientRegistry"/>, else uses <see cref="ClientDefaultsOptions"/>.
/// A registry or storage failure fails the activation (the call that caused it fails; the next call tries again).
/// </summary>
/// <remarks>
/// <para><b>Persistence.</b> The bucket survives deactivation, a silo restart and failover: its
/// tokens and counters are a <see cref="ClientBucketState"/> in grain storage (state name
/// <see cref="IPersistentStateFactory.DefaultStateName"/>, so stored under (<c>"client"</c>, client id)).
/// On activation the stored tokens are restored and refilled for the wall-clock time elapsed since
/// they were stored (<see cref="TimeProvider.GetUtcNow"/>; clamped to the capacity; a clock that went
/// backwards adds nothing); with nothing stored the bucket starts full. Every
/// <see cref="TryAcquireAsync"/>, <see cref="SetLimitsAsync"/> and <see cref="ResetLimitsAsync"/>
/// marks the state dirty (encodes 33 bytes, no I/O); write-behind stores it within
/// <c>Granary:Silo:WriteBehindIntervalMs</c> (≤ 1 s), and deactivation writes it at once.</para>
/// <para><b>Over-admission bound.</b> After a graceful deactivation or shutdown nothing is lost.
/// When a silo dies, the next activation starts from the last stored state, so it re-grants the
/// tokens spent since then: the over-admission is at most the tokens the client was admitted during
/// the last write-behind interval plus the write's latency (≤ ~1 s of its traffic). While storage
/// is unreachable the window grows to the time since the last successful write. Two activations cannot both keep writing: an etag conflict deactivates the stale one.</para>
/// <para>Without an <see cref="IPersistentStateFactory"/> (unit tests) the bucket is not persisted and starts full.</para>
/// </remarks>
/// <param name="registry">Where registered limits live.</param>
/// <param name="defaults">Limits of clients the registry does not know.</param>
/// <param name="persistence">Creates the persisted bucket state; null = not persisted.</param>
public sealed class ClientGrain(IClientRegistry registry, IOptions<ClientDefaultsOptions> defaults, IPersistentStateFactory? persistence = null) : Grain, IClientGrain
{
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
    private PersistentState<ClientBucketState>? _state;

    private TokenBucket Bucket => _bucket ?? throw new InvalidOperationException("The client grain is not activated.");

    /// <inheritdoc />
    public override async ValueTask OnActivateAsync(CancellationToken cancellationToken)
    {
        var record = await registry.GetAsync(GrainKey, cancellationToken);
        var limits = record?.Limits ?? DefaultLimits();
        _source = record is null ? DefaultSource : RegistrySource;
        _bucket = new TokenBucket(limits.Capacity, limits.RatePerSec, Context.TimeProvider);
        if (persistence is null)
            return;
        _state = persistence.Create(Context, IPersistentStateFactory.DefaultStateName, static () => default(ClientBucketState));
        await _state.LoadAsync(cancellationToken);
        if (_state.RecordExists)
            Restore(_state.State);
    }

    /// <inheritdoc />
    public override async ValueTask OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_state is { } state)
            await state.FlushAsync(cancellationToken);
    }

    /// <summary>Restores tokens and counters, refilling for the wall-clock time since the state was stored.</summary>
    private void Restore(ClientBucketState stored)
    {
        var bucket = Bucket;
        var elapsedMs = Context.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() - stored.UpdatedAtUnixMs;
        var refill = elapsedMs > 0 ? elapsedMs / 1000.0 * bucket.RatePerSec : 0;
        bucket.Restore(Math.Min(bucket.Capacity, Math.Max(0, stored.Tokens) + refill));
        _admitted = stored.Admitted;
        _rejected = stored.Rejected;
    }

    /// <summary>Snapshots the bucket for write-behind (cheap: encodes 33 bytes into a pooled buffer).</summary>
    private void MarkDirty()
    {
        if (_state is not { } state)
            return;
        state.State = new ClientBucketState(Bucket.Tokens, Context.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(), _admitted, _rejected);
        state.MarkDirty();
    }

    /// <inheritdoc />
    public ValueTask<RateLimitDecision> TryAcquireAsync(AcquireTokens request)
    {
        var decision = Bucket.TryAcquire(request.Tokens);
        if (decision.Admitted)
            _admitted++;
        else
            _rejected++;
        MarkDirty();
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
        MarkDirty();
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
        MarkDirty();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask ResetLimitsAsync()
    {
        var limits = DefaultLimits();
        Bucket.SetLimits(limits.Capacity, limits.RatePerSec);
        _source = DefaultSource;
        MarkDirty();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<ClientGrainState> GetStateAsync()
    {
        var bucket = Bucket;
        return ValueTask.FromResult(new ClientGrainState(GrainKey, bucket.Capacity, bucket.RatePerSec, bucket.Tokens, _admitted, _rejected, _source));
    }

    private ClientLimits DefaultLimits() => new(defaults.Value.DefaultCapacity, defaults.Value.DefaultRatePerSec);
}
