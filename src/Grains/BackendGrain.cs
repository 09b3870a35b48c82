using Granary.Grains.Contracts;
using Granary.Grains.Health;
using Granary.Grains.LoadBalancing;
using Granary.Grains.Traffic;
using Microsoft.Extensions.Logging;

namespace Granary.Grains;

/// <summary>
/// The backend grain (<see cref="IBackendGrain"/>, grain type <c>"backend"</c>, key =
/// <c>{clusterId}/{destinationId}</c>): the one authority for a destination's cluster-wide
/// in-flight count, health, EWMA latency and weight.
/// <list type="bullet">
/// <item>In-flight: each gateway's absolute count with a lease; expired contributions are dropped on every call, so a dead gateway leaks nothing.</item>
/// <item>Active health: when <see cref="BackendConfig.HealthPath"/> is set, an interleaving grain timer (<c>RegisterGrainTimer</c>) runs one HTTP probe per interval through <see cref="IHealthProber"/>; calls keep running while the probe awaits the network (the mailbox never waits on it), and the result drives an <see cref="ActiveHealthState"/> (HAProxy rise/fall). Orleans starts no new tick while one is running, so one probe per destination is outstanding at most, for the whole cluster.</item>
/// <item>Passive health: reported outcomes drive an <see cref="OutlierDetector"/> (Envoy-style consecutive-failure ejection); successful latencies feed an <see cref="Ewma"/> (τ = 10 s).</item>
/// <item>Traffic (dashboard): every reported outcome, whatever its kind, is counted with its latency in a fixed-size per-second window (O(1), no allocation per report); <see cref="GetDetailsAsync"/> derives requests/s over the last 5 full seconds, the p99 latency over the last 60 s (log-spaced histogram, within ~9 %) and up to 180 one-second samples.</item>
/// </list>
/// Healthy = active health up and not ejected. Health is recomputed from probes and outcomes after
/// an activation, never persisted. <see cref="BackendDetails.HealthReason"/> is the last change of either
/// part; <see cref="BackendDetails.DownReason"/> says, from the current state of both, why an unhealthy
/// destination is down now (an ejection that ends while the active check still fails leaves it down for
/// the active check's reason).
/// </summary>
/// <param name="prober">Runs the active probes.</param>
/// <param name="time">The clock (tests inject a fake one).</param>
/// <param name="logger">Logs health changes.</param>
[GrainType(GrainTypes.Backend)]
public sealed partial class BackendGrain(IHealthProber prober, TimeProvider time, ILogger<BackendGrain> logger) : Grain, IBackendGrain
{
    /// <summary>The longest accepted in-flight lease, ms: 600000 (10 min).</summary>
    public const int MaxLeaseMs = 600_000;

    /// <summary>The shortest accepted probe interval, ms: 100.</summary>
    public const int MinProbeIntervalMs = 100;

    /// <summary>The largest accepted weight: 1000.</summary>
    public const int MaxWeight = 1000;

    private static readonly BackendConfig Unconfigured = new("", "", "");

    private readonly Dictionary<string, Contribution> _contributions = new(StringComparer.Ordinal);
    private BackendConfig? _config;
    private ActiveHealthState? _active;
    private OutlierDetector? _outlier;
    private Ewma? _ewma;
    private TrafficWindow? _traffic;
    private IDisposable? _probeTimer;
    private Uri? _probeUri;
    private long _requests;
    private long _failures;
    private string _healthReason = "";
    private long _healthChangedUnixMs;
    private long _downSinceUnixMs;

    private string _key = "";

    private TimeProvider Time => time;

    private OutlierDetector Outlier => _outlier ?? throw new InvalidOperationException("The backend grain is not activated.");

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = this.GetPrimaryKeyString();
        _outlier = new OutlierDetector(Unconfigured.ConsecutiveFailures, TimeSpan.FromMilliseconds(Unconfigured.BaseEjectionMs), Time);
        _ewma = new Ewma(Ewma.DefaultTimeConstant, Time);
        _traffic = new TrafficWindow(Time.GetUtcNow().ToUnixTimeMilliseconds());
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        StopProbing();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A setting is out of range (the message names it).</exception>
    public ValueTask<BackendStatus> ConfigureAsync(BackendConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var probeUri = Validate(config);
        if (config == _config)
            return ValueTask.FromResult(Status());
        var wasInterval = _config?.ProbeIntervalMs;
        _config = config;
        Outlier.SetThresholds(config.ConsecutiveFailures, TimeSpan.FromMilliseconds(config.BaseEjectionMs));
        if (probeUri is null)
        {
            StopProbing();
            var wasDown = _active is { IsUp: false };
            _active = null;
            if (wasDown)
                HealthChanged("active probing disabled");
        }
        else
        {
            if (_active is null || probeUri != _probeUri)
            {
                var wasDown = _active is { IsUp: false };
                _active = new ActiveHealthState(config.Rise, config.Fall);
                if (wasDown)
                    HealthChanged($"probe target changed to {probeUri}");
            }
            else
            {
                _active.SetThresholds(config.Rise, config.Fall);
            }
            if (_probeTimer is null || probeUri != _probeUri || wasInterval != config.ProbeIntervalMs)
            {
                StopProbing();
                _probeUri = probeUri;
                // Interleave: calls run while a probe awaits the network. KeepAlive: probing alone keeps
                // the destination's one health authority alive, as it did before this change.
                _probeTimer = this.RegisterGrainTimer(static (grain, ct) => grain.ProbeAsync(ct), this,
                    new GrainTimerCreationOptions(TimeSpan.Zero, TimeSpan.FromMilliseconds(config.ProbeIntervalMs)) { Interleave = true, KeepAlive = true });
            }
        }
        return ValueTask.FromResult(Status());
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Empty gateway id, negative count, or a lease outside 1–<see cref="MaxLeaseMs"/> ms.</exception>
    public ValueTask<BackendStatus> ReportInFlightAsync(InFlightReport report)
    {
        SetContribution(report.GatewayId, report.InFlight, report.LeaseMs);
        return ValueTask.FromResult(Status());
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Empty gateway id, negative count, or a lease outside 1–<see cref="MaxLeaseMs"/> ms.</exception>
    public ValueTask<BackendStatus> ReportOutcomeAsync(RequestOutcome outcome)
    {
        SetContribution(outcome.GatewayId, outcome.InFlight, outcome.LeaseMs);
        Record(outcome.Outcome, outcome.LatencyMs, Time.GetUtcNow().ToUnixTimeMilliseconds());
        return ValueTask.FromResult(Status());
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Empty gateway id, negative count, or a lease outside 1–<see cref="MaxLeaseMs"/> ms.</exception>
    public ValueTask<BackendStatus> ReportBatchAsync(OutcomeBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Outcomes.Count > OutcomeBatch.MaxOutcomes)
            throw new ArgumentException($"An outcome batch holds at most {OutcomeBatch.MaxOutcomes} samples, got {batch.Outcomes.Count}.", nameof(batch));
        SetContribution(batch.GatewayId, batch.InFlight, batch.LeaseMs);
        var nowMs = Time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var sample in batch.Outcomes)
            Record(sample.Outcome, sample.LatencyMs, nowMs);
        return ValueTask.FromResult(Status());
    }

    private void Record(OutcomeKind outcome, double latencyMs, long nowMs)
    {
        _requests++;
        if (outcome is OutcomeKind.ServerError or OutcomeKind.ConnectFailure or OutcomeKind.Timeout)
            _failures++;
        if (outcome == OutcomeKind.Success)
            _ewma!.Update(latencyMs);
        _traffic!.Record(nowMs, latencyMs);
        RefreshEjection();
        if (Outlier.Record(outcome) is { } reason)
            HealthChanged(reason);
    }

    /// <inheritdoc />
    public ValueTask<BackendStatus> GetStatusAsync() => ValueTask.FromResult(Status());

    /// <inheritdoc />
    public ValueTask<BackendDetails> GetDetailsAsync()
    {
        var status = Status();
        var now = Time.GetTimestamp();
        var contributions = new List<InFlightContribution>(_contributions.Count);
        foreach (var (gateway, c) in _contributions)
            contributions.Add(new InFlightContribution(gateway, c.InFlight, (long)Time.GetElapsedTime(now, c.ExpiresAt).TotalMilliseconds));
        contributions.Sort(static (a, b) => string.CompareOrdinal(a.GatewayId, b.GatewayId));
        string clusterId, destinationId;
        if (_config is not null)
            (clusterId, destinationId) = (_config.ClusterId, _config.DestinationId);
        else if (!BackendKey.TrySplit(_key, out clusterId, out destinationId))
            (clusterId, destinationId) = ("", _key);
        var nowMs = Time.GetUtcNow().ToUnixTimeMilliseconds();
        return ValueTask.FromResult(new BackendDetails(clusterId, destinationId, _config?.Address, status, contributions, _healthReason, _healthChangedUnixMs, Outlier.Ejections,
            _config?.Policy, _traffic!.RequestsPerSec(nowMs), _traffic.P99LatencyMs(nowMs), _traffic.History(nowMs),
            status.Healthy ? "" : DownReason(), status.Healthy ? 0 : _downSinceUnixMs));
    }

    private async Task ProbeAsync(CancellationToken cancellationToken)
    {
        if (_probeUri is null || _config is null)
            return;
        var uri = _probeUri;
        ProbeResult result;
        try
        {
            result = await prober.ProbeAsync(uri, TimeSpan.FromMilliseconds(_config.ProbeTimeoutMs), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            result = ProbeResult.Unhealthy(e.Message);
        }
        // A result for a target that is no longer probed says nothing about the current one.
        if (_active is null || !ReferenceEquals(uri, _probeUri))
            return;
        var reason = result.Success ? _active.RecordSuccess() : _active.RecordFailure(result.Detail);
        if (reason is not null)
            HealthChanged(reason);
    }

    private void StopProbing()
    {
        _probeTimer?.Dispose();
        _probeTimer = null;
        _probeUri = null;
    }

    private void SetContribution(string gatewayId, int inFlight, int leaseMs)
    {
        ArgumentException.ThrowIfNullOrEmpty(gatewayId);
        ArgumentOutOfRangeException.ThrowIfNegative(inFlight);
        ArgumentOutOfRangeException.ThrowIfLessThan(leaseMs, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(leaseMs, MaxLeaseMs);
        if (inFlight == 0)
        {
            _contributions.Remove(gatewayId);
            return;
        }
        var expiresAt = Time.GetTimestamp() + (long)(leaseMs * (Time.TimestampFrequency / 1000.0));
        _contributions[gatewayId] = new Contribution(inFlight, expiresAt);
    }

    private BackendStatus Status()
    {
        var now = Time.GetTimestamp();
        long total = 0;
        foreach (var (gateway, c) in _contributions)
        {
            if (c.ExpiresAt <= now)
                _contributions.Remove(gateway);
            else
                total += c.InFlight;
        }
        RefreshEjection();
        var activeHealthy = _active?.IsUp ?? true;
        var ejected = Outlier.IsEjected;
        return new BackendStatus(_config is not null, activeHealthy && !ejected, activeHealthy, ejected, total,
            _ewma!.Value, _config?.Weight ?? 1, _requests, _failures);
    }

    private void RefreshEjection()
    {
        if (Outlier.Refresh() is { } reason)
            HealthChanged(reason);
    }

    private void HealthChanged(string reason)
    {
        _healthReason = reason;
        _healthChangedUnixMs = Time.GetUtcNow().ToUnixTimeMilliseconds();
        var healthy = (_active?.IsUp ?? true) && !Outlier.IsEjected;
        if (healthy)
        {
            _downSinceUnixMs = 0;
            LogHealthy(logger, _key, reason);
        }
        else
        {
            if (_downSinceUnixMs == 0)
                _downSinceUnixMs = _healthChangedUnixMs;
            LogUnhealthy(logger, _key, DownReason(), reason);
        }
    }

    /// <summary>Why the destination is not healthy now (see <see cref="BackendDetails.DownReason"/>); empty when it is healthy.</summary>
    private string DownReason()
    {
        string? active = null, ejected = null;
        if (_active is { IsUp: false } a)
        {
            active = a.ConsecutiveFailures > 0
                ? $"active check failed: {a.LastFailure} ({a.ConsecutiveFailures} in a row)"
                : $"active check failed: {a.LastFailure}; passing again ({a.ConsecutiveSuccesses} of {a.Rise} to come back)";
        }
        if (Outlier.IsEjected)
            ejected = $"ejected: {Outlier.EjectionCause}, {Duration(Outlier.EjectionLength)} ({Duration(Outlier.EjectionRemaining)} left)";
        return active is not null && ejected is not null ? $"{active}; {ejected}" : active ?? ejected ?? "";
    }

    /// <summary>A duration for a reason: <c>"250 ms"</c>, <c>"2.5 s"</c>, <c>"30 s"</c>.</summary>
    private static string Duration(TimeSpan span) => span.TotalMilliseconds switch
    {
        < 1000 => $"{Math.Ceiling(span.TotalMilliseconds):0} ms",
        < 10_000 => $"{Math.Ceiling(span.TotalSeconds * 10) / 10:0.#} s",
        _ => $"{Math.Ceiling(span.TotalSeconds):0} s",
    };

    private static Uri? Validate(BackendConfig config)
    {
        ArgumentException.ThrowIfNullOrEmpty(config.ClusterId, "config.ClusterId");
        ArgumentException.ThrowIfNullOrEmpty(config.DestinationId, "config.DestinationId");
        if (!Uri.TryCreate(config.Address, UriKind.Absolute, out var address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"Address '{config.Address}' is not an absolute http or https URI.", nameof(config));
        Check(config.Weight is >= 1 and <= MaxWeight, $"Weight must be from 1 to {MaxWeight}; got {config.Weight}.");
        Check(config.ProbeIntervalMs >= MinProbeIntervalMs, $"ProbeIntervalMs must be at least {MinProbeIntervalMs}; got {config.ProbeIntervalMs}.");
        Check(config.ProbeTimeoutMs >= 1, $"ProbeTimeoutMs must be at least 1; got {config.ProbeTimeoutMs}.");
        Check(config.Rise >= 1, $"Rise must be at least 1; got {config.Rise}.");
        Check(config.Fall >= 1, $"Fall must be at least 1; got {config.Fall}.");
        Check(config.ConsecutiveFailures >= 1, $"ConsecutiveFailures must be at least 1; got {config.ConsecutiveFailures}.");
        Check(config.BaseEjectionMs >= 1, $"BaseEjectionMs must be at least 1; got {config.BaseEjectionMs}.");
        if (config.HealthPath is null)
            return null;
        return Uri.TryCreate(address, config.HealthPath, out var probe)
            ? probe
            : throw new ArgumentException($"HealthPath '{config.HealthPath}' does not form a URI with '{config.Address}'.", nameof(config));

        static void Check(bool ok, string message)
        {
            if (!ok)
                throw new ArgumentException(message, nameof(config));
        }
    }

    private readonly record struct Contribution(int InFlight, long ExpiresAt);
}
