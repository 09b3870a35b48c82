using Granary.Grains.Contracts;

namespace Granary.Grains;

/// <summary>
/// The gateway grain (<see cref="IGatewayGrain"/>, grain type <c>"gateway"</c>, key = gateway id):
/// keeps the gateway's last heartbeat for the dashboard. Each report is stamped with the silo's
/// clock on receipt. A timer checks every <see cref="IdleCheckPeriod"/> and deactivates the
/// activation once <see cref="IdleTimeout"/> (60 s) passed without a report (or since activation
/// when none came), so a stopped gateway's grain goes away by itself. State is not persisted.
/// </summary>
/// <param name="time">The clock (tests inject a fake one).</param>
[GrainType(GrainTypes.Gateway)]
public sealed class GatewayGrain(TimeProvider time) : Grain, IGatewayGrain
{
    /// <summary>Time without a report after which the activation deactivates itself: 60 s.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How often the idle check runs: 5 s.</summary>
    public static readonly TimeSpan IdleCheckPeriod = TimeSpan.FromSeconds(5);

    private GatewayStats? _last;
    private long _lastActivity;
    private IDisposable? _idleTimer;

    private TimeProvider Time => time;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _lastActivity = Time.GetTimestamp();
        _idleTimer = this.RegisterGrainTimer(static grain => grain.CheckIdle(), this,
            new GrainTimerCreationOptions(IdleCheckPeriod, IdleCheckPeriod) { KeepAlive = true });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _idleTimer?.Dispose();
        _idleTimer = null;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="stats"/> is null.</exception>
    public ValueTask ReportAsync(GatewayStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        _lastActivity = Time.GetTimestamp();
        _last = stats with { GatewayId = this.GetPrimaryKeyString(), ReportedAtUnixMs = Time.GetUtcNow().ToUnixTimeMilliseconds() };
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<GatewayStats> GetStatsAsync() =>
        ValueTask.FromResult(_last ?? new GatewayStats(this.GetPrimaryKeyString(), 0, false, false, 0, 0));

    private Task CheckIdle()
    {
        if (Time.GetElapsedTime(_lastActivity) >= IdleTimeout)
        {
            _idleTimer?.Dispose();
            _idleTimer = null;
            this.DeactivateOnIdle();
        }
        return Task.CompletedTask;
    }
}
