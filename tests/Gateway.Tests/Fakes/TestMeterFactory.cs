using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Granary.Gateway.Tests.Fakes;

/// <summary>An <see cref="IMeterFactory"/> whose meters are private to the test, with a listener that sums counters by name and tag set.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];
    private readonly MeterListener _listener = new();

    public TestMeterFactory()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            lock (_meters)
            {
                if (_meters.Contains(instrument.Meter))
                    listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name;
            foreach (var tag in tags)
                key += $"|{tag.Key}={tag.Value}";
            Sums.AddOrUpdate(key, value, (_, old) => old + value);
        });
        _listener.Start();
    }

    /// <summary>Sums of long measurements, keyed <c>name|tag=value|…</c> in the order the tags were given.</summary>
    public ConcurrentDictionary<string, long> Sums { get; } = new();

    public long Sum(string key) => Sums.GetValueOrDefault(key);

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, this);
        lock (_meters)
            _meters.Add(meter);
        // Instruments created later are published to the listener, which enables them via InstrumentPublished.
        return meter;
    }

    public void Dispose()
    {
        _listener.Dispose();
        lock (_meters)
        {
            foreach (var meter in _meters)
                meter.Dispose();
        }
    }
}
