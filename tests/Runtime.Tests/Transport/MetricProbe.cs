using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Granary.Runtime.Tests.Transport;

/// <summary>Records the long measurements of instruments named <c>prefix*</c> on meters of one scope (a host's or client's <see cref="IMeterFactory"/>), so parallel tests do not see each other's.</summary>
internal sealed class MetricProbe : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, string? Tag)> _measurements = new();

    public MetricProbe(object scope, string prefix)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, scope) && instrument.Name.StartsWith(prefix, StringComparison.Ordinal))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            _measurements.Enqueue((instrument.Name, value, tags.Length > 0 ? tags[0].Value as string : null)));
        _listener.Start();
    }

    /// <summary>Sum of <paramref name="instrument"/>'s measurements whose first tag is <paramref name="tag"/>.</summary>
    public long Sum(string instrument, string tag) =>
        _measurements.Where(m => m.Instrument == instrument && m.Tag == tag).Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();
}
