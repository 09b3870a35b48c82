using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Granary.Silo.Tests;

/// <summary>
/// The counters of meter <c>Granary.Silo</c> of one in-process silo (its own <see cref="IMeterFactory"/>
/// scope, so other silos of the test run do not count), summed by instrument and tags as they are
/// recorded. The <c>/metrics</c> export itself belongs to Granary.Hosting.Metrics.
/// </summary>
public sealed class SiloCounters : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _sums = new(StringComparer.Ordinal);

    public SiloCounters(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SiloMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name;
            foreach (var tag in tags)
                key += $"|{tag.Key}={tag.Value}";
            _sums.AddOrUpdate(key, value, (_, sum) => sum + value);
        });
        _listener.Start();
    }

    /// <summary>The sum of <paramref name="instrument"/> recorded with the one tag <paramref name="tag"/>=<paramref name="value"/>; 0 when none.</summary>
    public long Get(string instrument, string tag, string value) => _sums.GetValueOrDefault($"{instrument}|{tag}={value}");

    /// <summary>Polls <see cref="Get"/> until it reaches <paramref name="expected"/> (10 s deadline), then asserts it equals it.</summary>
    public async Task EventuallyAsync(string instrument, string tag, string value, long expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Get(instrument, tag, value) < expected && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.Equal(expected, Get(instrument, tag, value));
    }

    public void Dispose() => _listener.Dispose();
}
