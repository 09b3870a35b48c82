using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Granary.Runtime;
using Microsoft.Extensions.Options;

namespace Granary.Grains;

/// <summary>
/// The client grain (<see cref="IClientGrain"/>, grain type <c>"client"</c>, key = client id): one
/// <see cref="TokenBucket"/> per client, shared by every gateway. On activation it reads the
/// client's limits from <see cref="IClientRegistry"/>, else uses <see cref="ClientDefaultsOptions"/>,
/// and starts with a full bucket. A registry failure fails the activation (the call that caused it
/// fails; the next call tries again).
/// </summary>
/// <param name="registry">Where registered limits live.</param>
/// <param name="defaults">Limits of clients the registry does not know.</param>
public sealed class ClientGrain(IClientRegistry registry, IOptions<ClientDefaultsOptions> defaults) : Grain, IClientGrain
{
    /// <summary><see cref="ClientGrainState.LimitsSource"/> when the limits come from the registry (or the admin API).</summary>
    public const string RegistrySource = "registry";

    /// <summary><see cref="ClientGrainState.LimitsSource"/> when the limits are the configured defaults.</summary>
    public const string DefaultSource = "default";

    private TokenBucket? _bucket;
    private string _source = DefaultSource;
    private long _admitted;
    private long _rejected;

    private TokenBucket Bucket => _bucket ?? throw new InvalidOperationException("The client grain is not activated.");

    /// <inheritdoc />
    public override async ValueTask OnActivateAsync(CancellationToken cancellationToken)
    {
        var record = await registry.GetAsync(GrainKey, cancellationToken);
        var limits = record?.Limits ?? DefaultLimits();
        _source = record is null ? DefaultSource : RegistrySource;
        _bucket = new TokenBucket(limits.Capacity, limits.RatePerSec, Context.TimeProvider);
    }

    /// <inheritdoc />
    public ValueTask<RateLimitDecision> TryAcquireAsync(AcquireTokens request)
    {
        var decision = Bucket.TryAcquire(request.Tokens);
        if (decision.Admitted)
            _admitted++;
        else
            _rejected++;
        return ValueTask.FromResult(decision);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The limits are invalid (<see cref="ClientLimits.Validate"/>).</exception>
    public ValueTask SetLimitsAsync(ClientLimits limits)
    {
        if (limits.Validate() is { } error)
            throw new ArgumentException(error, nameof(limits));
        Bucket.SetLimits(limits.Capacity, limits.RatePerSec);
        _source = RegistrySource;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask ResetLimitsAsync()
    {
        var limits = DefaultLimits();
        Bucket.SetLimits(limits.Capacity, limits.RatePerSec);
        _source = DefaultSource;
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
