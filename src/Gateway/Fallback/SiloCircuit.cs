using Granary.Gateway.Cluster;
using Granary.Gateway.Configuration;
using Granary.Gateway.Diagnostics;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Fallback;

/// <summary>
/// A small circuit breaker over the link to the silos. After a failed grain call (deadline, no
/// silo, callee error) it opens for <see cref="GatewayOptions.FallbackProbeMs"/>: request-path
/// grain calls are skipped and decisions are local, so a dead silo does not add the call deadline
/// to every request. When the window has passed, exactly one caller is let through as a probe
/// (the window restarts for everyone else); a success closes the circuit. Entering and leaving
/// fallback are logged once per episode (at most one episode per 10 s, so a flapping link does
/// not flood the log). Lock-free.
/// While the cluster client is not connected (<see cref="ClusterConnectionState"/>: no silo reached yet, or the
/// connection to every silo lost) the circuit counts as open: <see cref="TryEnter"/> and <see cref="IsClosed"/> are
/// false, so nothing on the request path calls a grain and every decision is local.
/// </summary>
internal sealed class SiloCircuit
{
    private readonly TimeProvider _time;
    private readonly ClusterConnectionState _connection;
    private readonly ILogger<SiloCircuit> _logger;
    private readonly long _probeTicks;
    private readonly int _probeMs;
    private readonly long _logQuietTicks;
    private long _openUntil; // TimeProvider timestamp; 0 = closed
    private int _inFallback;
    private long _lastEnterLog = long.MinValue;
    private int _enterLogged;
    private int _suppressed;

    public SiloCircuit(TimeProvider time, IOptions<GatewayOptions> options, ClusterConnectionState connection, ILogger<SiloCircuit> logger)
    {
        _time = time;
        _connection = connection;
        _logger = logger;
        _probeMs = options.Value.FallbackProbeMs;
        _probeTicks = Math.Max(1, (long)(_probeMs * (time.TimestampFrequency / 1000.0)));
        _logQuietTicks = 10 * time.TimestampFrequency;
    }

    /// <summary>Fallback episodes not logged because one was logged less than 10 s earlier (a flapping link).</summary>
    public int SuppressedEpisodes => Volatile.Read(ref _suppressed);

    /// <summary>True while the gateway decides locally (between a failure and the next success).</summary>
    public bool InFallback => Volatile.Read(ref _inFallback) != 0;

    /// <summary>True when the cluster client is connected (grains may be called at all).</summary>
    public bool IsConnected => _connection.IsConnected;

    /// <summary>True when the client is connected and the circuit is closed: background reports may be sent.</summary>
    public bool IsClosed => _connection.IsConnected && Volatile.Read(ref _openUntil) == 0;

    /// <summary>
    /// True when the caller should make the grain call: the client is connected and the circuit is closed, or the
    /// probe window has passed and this caller won the probe. False: decide locally.
    /// </summary>
    public bool TryEnter()
    {
        if (!_connection.IsConnected)
            return false;
        var until = Volatile.Read(ref _openUntil);
        if (until == 0)
            return true;
        var now = _time.GetTimestamp();
        if (now < until)
            return false;
        return Interlocked.CompareExchange(ref _openUntil, now + _probeTicks, until) == until;
    }

    /// <summary>Records a successful grain call: closes the circuit.</summary>
    public void OnSuccess()
    {
        if (Volatile.Read(ref _openUntil) != 0)
            Volatile.Write(ref _openUntil, 0);
        if (Volatile.Read(ref _inFallback) != 0 && Interlocked.Exchange(ref _inFallback, 0) == 1 && Interlocked.Exchange(ref _enterLogged, 0) == 1)
            Log.LeavingFallback(_logger);
    }

    /// <summary>Records a failed grain call: opens the circuit for one probe window.</summary>
    public void OnFailure(Exception reason)
    {
        var until = _time.GetTimestamp() + _probeTicks;
        Volatile.Write(ref _openUntil, until == 0 ? 1 : until);
        if (Interlocked.Exchange(ref _inFallback, 1) != 0)
            return;
        // One warning per episode, but at most one every 10 s when the link flaps (e.g. one of several silos is down).
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastEnterLog);
        if (last != long.MinValue && now - last < _logQuietTicks)
        {
            Interlocked.Increment(ref _suppressed);
            return;
        }
        Interlocked.Exchange(ref _lastEnterLog, now);
        Volatile.Write(ref _enterLogged, 1);
        Log.EnteringFallback(_logger, $"{reason.GetType().Name}: {reason.Message}", _probeMs);
    }
}
