using System.Diagnostics.Metrics;

namespace Granary.Runtime.Transport;

/// <summary>
/// The grain client's instruments, on the meter <c>Granary.Client</c>:
/// <c>granary.client.calls</c> (counter, {call}: calls sent, two-way and one-way),
/// <c>granary.client.call_failures</c> (counter, {call}, tag <c>error.type</c> = <c>timeout</c>,
/// <c>unavailable</c>, <c>canceled</c> or the silo's error code),
/// <c>granary.client.call_duration</c> (histogram, ms: two-way calls, success or failure),
/// <c>granary.client.handshake_failures</c> (counter, {connection}, tag <c>reason</c> = <c>bad_secret</c>,
/// <c>silo_unproven</c>, <c>too_many_connections</c>, <c>closed</c>, <c>protocol</c>) and
/// <c>granary.client.limit_hits</c> (counter, {event}, tag <c>limit</c> = <c>max_pending_calls</c>, <c>max_frame_bytes</c>).
/// </summary>
internal sealed class ClientMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Granary.Client";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    public ClientMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        Calls = _meter.CreateCounter<long>("granary.client.calls", "{call}", "Grain calls sent (two-way and one-way).");
        Failures = _meter.CreateCounter<long>("granary.client.call_failures", "{call}", "Grain calls that failed, by error.type.");
        HandshakeFailures = _meter.CreateCounter<long>("granary.client.handshake_failures", "{connection}", "Connection attempts that failed in the cluster handshake, by reason.");
        LimitHits = _meter.CreateCounter<long>("granary.client.limit_hits", "{event}", "Calls refused by a client-side limit, by limit.");
        Duration = _meter.CreateHistogram<double>("granary.client.call_duration", "ms", "Duration of two-way grain calls, from send to answer or failure.");
    }

    public Counter<long> Calls { get; }

    public Counter<long> Failures { get; }

    public Histogram<double> Duration { get; }

    public Counter<long> HandshakeFailures { get; }

    public Counter<long> LimitHits { get; }

    public void HandshakeFailed(string reason) => HandshakeFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void LimitHit(string limit) => LimitHits.Add(1, new KeyValuePair<string, object?>("limit", limit));

    public void Failed(string errorType) => Failures.Add(1, new KeyValuePair<string, object?>("error.type", errorType));

    public void Dispose()
    {
        if (_ownsMeter)
            _meter.Dispose();
    }
}
