using System.Diagnostics.Metrics;

namespace Granary.Runtime.Transport;

/// <summary>
/// The grain port's instruments on the meter <c>Granary.Silo</c>:
/// <c>granary.silo.handshake_failures</c> (counter, {connection}, tag <c>reason</c> = <c>bad_preamble</c>,
/// <c>bad_secret</c>, <c>timeout</c>, <c>incomplete</c>), <c>granary.silo.grain_port_limit_hits</c>
/// (counter, {event}, tag <c>limit</c> = <c>max_connections</c>, <c>max_frame_bytes</c>,
/// <c>max_in_flight_per_connection</c>) and <c>granary.silo.grain_connections</c> (gauge, {connection}:
/// open grain connections). Prometheus names: <c>granary_silo_handshake_failures_total</c>,
/// <c>granary_silo_grain_port_limit_hits_total</c>, <c>granary_silo_grain_connections</c>.
/// </summary>
internal sealed class SiloTransportMetrics
{
    /// <summary>The meter's name (shared with the silo's other instruments).</summary>
    public const string MeterName = "Granary.Silo";

    private readonly Counter<long> _handshakeFailures;
    private readonly Counter<long> _limitHits;

    public SiloTransportMetrics(IMeterFactory? meterFactory, Func<int> openConnections)
    {
        var meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _handshakeFailures = meter.CreateCounter<long>("granary.silo.handshake_failures", "{connection}", "Grain connections closed during the cluster handshake, by reason.");
        _limitHits = meter.CreateCounter<long>("granary.silo.grain_port_limit_hits", "{event}", "Grain-port limits hit (connection refused, frame too large, call answered overloaded), by limit.");
        meter.CreateObservableGauge("granary.silo.grain_connections", openConnections, "{connection}", "Grain connections open now (authenticated or handshaking).");
    }

    public void HandshakeFailed(string reason) => _handshakeFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void LimitHit(string limit) => _limitHits.Add(1, new KeyValuePair<string, object?>("limit", limit));
}
