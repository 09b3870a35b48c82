using System.Diagnostics.Metrics;

namespace Granary.Runtime.Transport;

/// <summary>
/// The grain client's instruments, on the meter <c>Granary.Client</c>:
/// <c>granary.client.calls</c> (counter, {call}: calls sent, two-way and one-way),
/// <c>granary.client.call_failures</c> (counter, {call}, tag <c>error.type</c> = <c>timeout</c>,
/// <c>unavailable</c>, <c>canceled</c> or the silo's error code) and
/// <c>granary.client.call_duration</c> (histogram, ms: two-way calls, success or failure).
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
        Duration = _meter.CreateHistogram<double>("granary.client.call_duration", "ms", "Duration of two-way grain calls, from send to answer or failure.");
    }

    public Counter<long> Calls { get; }

    public Counter<long> Failures { get; }

    public Histogram<double> Duration { get; }

    public void Failed(string errorType) => Failures.Add(1, new KeyValuePair<string, object?>("error.type", errorType));

    public void Dispose()
    {
        if (_ownsMeter)
            _meter.Dispose();
    }
}
