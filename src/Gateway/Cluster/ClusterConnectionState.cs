using Granary.Gateway.Diagnostics;

namespace Granary.Gateway.Cluster;

/// <summary>
/// Whether this gateway can call grains now: its Orleans client has started (a silo answered and sent the
/// cluster manifest) and at least one connection to a silo's gateway port is open. Orleans reports the
/// connection count through <see cref="IClusterConnectionStatusObserver"/> (this class is registered as one);
/// the <see cref="ClusterConnector"/> reports the start and the stop. Read on every request
/// (<see cref="IsConnected"/>, one volatile read): while false nothing calls a grain and every decision is local.
/// Changes are logged (connected, connection lost) and wake <see cref="WaitForChangeAsync"/>.
/// </summary>
internal sealed class ClusterConnectionState : IClusterConnectionStatusObserver
{
    private readonly Lock _gate = new();
    private readonly ILogger<ClusterConnectionState> _logger;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _connected;

    // Guarded by _gate.
    private bool _started;
    private int _gateways;
    private long _losses;

    public ClusterConnectionState(ILogger<ClusterConnectionState> logger) => _logger = logger;

    /// <summary>True when grains may be called: the client started and a silo connection is open.</summary>
    public bool IsConnected => Volatile.Read(ref _connected) != 0;

    /// <summary>Open connections to silo gateway ports, as Orleans last reported them.</summary>
    public int Gateways
    {
        get
        {
            lock (_gate)
                return _gateways;
        }
    }

    /// <summary>Times the gateway went from connected to disconnected since start.</summary>
    public long Losses
    {
        get
        {
            lock (_gate)
                return _losses;
        }
    }

    /// <summary>Completes at the next change of <see cref="IsConnected"/>; never faults.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>Completes at the next change of <see cref="IsConnected"/> (or when <paramref name="cancellationToken"/> is cancelled).</summary>
    public Task WaitForChangeAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _changed).Task.WaitAsync(cancellationToken);

    /// <summary>The client finished starting: grains may be called while a connection is open.</summary>
    public void MarkStarted()
    {
        lock (_gate)
        {
            _started = true;
            Update();
        }
    }

    /// <summary>The client is stopping: no more grain calls.</summary>
    public void MarkStopped()
    {
        lock (_gate)
        {
            _started = false;
            Update();
        }
    }

    /// <inheritdoc />
    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        lock (_gate)
        {
            _gateways = Math.Max(0, currentNumberOfGateways);
            Update();
        }
    }

    /// <inheritdoc />
    public void NotifyClusterConnectionLost()
    {
        lock (_gate)
        {
            _gateways = 0;
            Update();
        }
    }

    // Under _gate: recomputes the flag; logs and signals a change.
    private void Update()
    {
        var connected = _started && _gateways > 0;
        if (connected == (_connected != 0))
            return;
        Volatile.Write(ref _connected, connected ? 1 : 0);
        if (connected)
        {
            Log.SiloConnected(_logger, _gateways);
        }
        else if (_started)
        {
            _losses++;
            Log.SiloConnectionLost(_logger);
        }
        var changed = _changed;
        Volatile.Write(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        changed.TrySetResult();
    }
}
