using Granary.Gateway.Balancing;
using Granary.Gateway.Cluster;
using Granary.Gateway.Fallback;
using Granary.Grains.Contracts;

namespace Granary.Gateway.Diagnostics;

/// <summary>
/// Every <see cref="Interval"/> (1 s) sends this gateway's <see cref="GatewayStats"/> to its
/// <see cref="IGatewayGrain"/> (key = the gateway id), for the dashboard: requests/s since the
/// previous beat (from <see cref="GatewayMetrics.RequestsReceived"/> over the measured elapsed time),
/// fallback (the <see cref="SiloCircuit"/> is open or in fallback, or a local decision was made since
/// the previous beat), whether the cluster client is connected, and the sum of the local in-flight
/// counts. A failed beat is counted (<c>granary.gateway.grain_call_failures</c>, operation
/// <c>gateway.report</c>), logged at Debug and otherwise ignored; it does not touch the circuit.
/// No beat is sent while the cluster client is not connected (the dashboard then ages this gateway out).
/// </summary>
internal sealed class GatewayHeartbeat : BackgroundService
{
    /// <summary>Time between beats: 1 s.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly GrainReferences _grains;
    private readonly SiloCircuit _circuit;
    private readonly GatewayMetrics _metrics;
    private readonly ClusterBalancerRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILogger<GatewayHeartbeat> _logger;
    private readonly ClusterConnectionState _connection;
    private IGatewayGrain? _grain;
    private long _lastTimestamp;
    private long _lastRequests;
    private long _lastFallbacks;

    public GatewayHeartbeat(GrainReferences grains, GatewayIdentity identity, SiloCircuit circuit, GatewayMetrics metrics,
        ClusterBalancerRegistry registry, TimeProvider time, ClusterConnectionState connection, ILogger<GatewayHeartbeat> logger)
    {
        _grains = grains;
        _circuit = circuit;
        _metrics = metrics;
        _registry = registry;
        _time = time;
        _logger = logger;
        _connection = connection;
        GatewayId = identity.Id;
        _lastTimestamp = time.GetTimestamp();
        _lastRequests = metrics.RequestsReceived;
        _lastFallbacks = metrics.FallbackDecisions;
    }

    /// <summary>This gateway's id, the gateway grain's key.</summary>
    public string GatewayId { get; }

    /// <summary>The stats since the previous call (or since construction); advances the baseline. <see cref="GatewayStats.ReportedAtUnixMs"/> is the gateway's clock (the grain replaces it).</summary>
    public GatewayStats Sample()
    {
        var now = _time.GetTimestamp();
        var requests = _metrics.RequestsReceived;
        var fallbacks = _metrics.FallbackDecisions;
        var elapsed = _time.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
        var rps = elapsed > 0 ? (requests - _lastRequests) / elapsed : 0;
        var fallback = _circuit.InFallback || !_circuit.IsClosed || fallbacks != _lastFallbacks;
        (_lastTimestamp, _lastRequests, _lastFallbacks) = (now, requests, fallbacks);
        long inFlight = 0;
        foreach (var balancer in _registry.Balancers)
        {
            foreach (var slot in balancer.Slots)
                inFlight += slot.Entry.LocalInFlight;
        }
        return new GatewayStats(GatewayId, rps, fallback, _connection.IsConnected, inFlight, _time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    /// <summary>One beat: samples and reports; nothing while the client is not connected (the sample still advances the baseline). Never throws.</summary>
    public async Task BeatAsync()
    {
        try
        {
            var stats = Sample();
            if (!_connection.IsConnected)
                return;
            var grain = _grain ??= _grains.Gateway(GatewayId);
            await grain.ReportAsync(stats).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _metrics.GrainCallFailed("gateway.report");
            Log.HeartbeatFailed(_logger, GatewayId, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            await BeatAsync().ConfigureAwait(false);
        }
    }
}
