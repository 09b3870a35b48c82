using System.Diagnostics.Metrics;
using Granary.Runtime.Diagnostics;

namespace Granary.Runtime.Tests.Diagnostics;

public sealed class PrometheusCollectorTests : IDisposable
{
    private readonly Meter _meter = new("Granary.Test." + Guid.NewGuid().ToString("N"));
    private readonly PrometheusCollector _collector;

    public PrometheusCollectorTests()
    {
        var options = new PrometheusExporterOptions();
        options.MeterPrefixes.Clear();
        options.MeterPrefixes.Add(_meter.Name);
        _collector = new PrometheusCollector(options);
    }

    public void Dispose()
    {
        _collector.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public void Scrape_CounterWithTags_RendersSumPerTagSetWithTotalSuffix()
    {
        var counter = _meter.CreateCounter<long>("granary.gateway.requests", "{request}", "Requests proxied.");
        counter.Add(2, new KeyValuePair<string, object?>("cluster", "c1"), new KeyValuePair<string, object?>("code", 200));
        counter.Add(3, new KeyValuePair<string, object?>("cluster", "c1"), new KeyValuePair<string, object?>("code", 200));
        counter.Add(1, new KeyValuePair<string, object?>("cluster", "c2"), new KeyValuePair<string, object?>("code", 503));

        var text = _collector.Scrape();

        Assert.Contains("# HELP granary_gateway_requests_total Requests proxied.\n", text);
        Assert.Contains("# TYPE granary_gateway_requests_total counter\n", text);
        Assert.Contains("granary_gateway_requests_total{cluster=\"c1\",code=\"200\"} 5\n", text);
        Assert.Contains("granary_gateway_requests_total{cluster=\"c2\",code=\"503\"} 1\n", text);
    }

    [Fact]
    public void Scrape_SameTagsInOtherOrder_SharesOneSeries()
    {
        var counter = _meter.CreateCounter<double>("granary.work", "s");
        counter.Add(1.5, new KeyValuePair<string, object?>("a", "1"), new KeyValuePair<string, object?>("b", "2"));
        counter.Add(1.0, new KeyValuePair<string, object?>("b", "2"), new KeyValuePair<string, object?>("a", "1"));

        var text = _collector.Scrape();

        Assert.Contains("granary_work_seconds_total{a=\"1\",b=\"2\"} 2.5\n", text);
        Assert.Single(text.Split('\n'), line => line.StartsWith("granary_work_seconds_total{", StringComparison.Ordinal));
    }

    [Fact]
    public void Scrape_Histogram_RendersCumulativeBucketsSumAndCount()
    {
        var histogram = _meter.CreateHistogram<double>("granary.call.duration", "ms", "Call latency.");
        histogram.Record(0.3);
        histogram.Record(7);
        histogram.Record(7);
        histogram.Record(20000);

        var text = _collector.Scrape();

        Assert.Contains("# TYPE granary_call_duration_ms histogram\n", text);
        Assert.Contains("granary_call_duration_ms_bucket{le=\"0.5\"} 1\n", text);
        Assert.Contains("granary_call_duration_ms_bucket{le=\"5\"} 1\n", text);
        Assert.Contains("granary_call_duration_ms_bucket{le=\"10\"} 3\n", text);
        Assert.Contains("granary_call_duration_ms_bucket{le=\"10000\"} 3\n", text);
        Assert.Contains("granary_call_duration_ms_bucket{le=\"+Inf\"} 4\n", text);
        Assert.Contains("granary_call_duration_ms_sum 20014.3\n", text);
        Assert.Contains("granary_call_duration_ms_count 4\n", text);
    }

    [Fact]
    public void Scrape_HistogramWithTags_PutsLeAfterTheTags()
    {
        var histogram = _meter.CreateHistogram<long>("granary.latency", "ms");
        histogram.Record(3, new KeyValuePair<string, object?>("backend", "b1"));

        var text = _collector.Scrape();

        Assert.Contains("granary_latency_ms_bucket{backend=\"b1\",le=\"5\"} 1\n", text);
        Assert.Contains("granary_latency_ms_count{backend=\"b1\"} 1\n", text);
    }

    [Fact]
    public void Scrape_ObservableGauge_ReadsCallbackAtScrapeTime()
    {
        var value = 3;
        _meter.CreateObservableGauge("granary.silo.activations", () => new Measurement<int>(value, new KeyValuePair<string, object?>("type", "client")), "{activation}", "Live activations.");

        var first = _collector.Scrape();
        value = 7;
        var second = _collector.Scrape();

        Assert.Contains("# TYPE granary_silo_activations gauge\n", first);
        Assert.Contains("granary_silo_activations{type=\"client\"} 3\n", first);
        Assert.Contains("granary_silo_activations{type=\"client\"} 7\n", second);
    }

    [Fact]
    public void Scrape_ObservableSeriesNoLongerReported_IsDropped()
    {
        var report = true;
        _meter.CreateObservableGauge("granary.gone", () => report ? [new Measurement<double>(1.25, new KeyValuePair<string, object?>("k", "v"))] : Array.Empty<Measurement<double>>());

        var first = _collector.Scrape();
        report = false;
        var second = _collector.Scrape();

        Assert.Contains("granary_gone{k=\"v\"} 1.25\n", first);
        Assert.DoesNotContain("granary_gone{", second);
    }

    [Fact]
    public void Scrape_UpDownCounterAndObservableCounter_HaveGaugeAndCounterTypes()
    {
        var inFlight = _meter.CreateUpDownCounter<long>("granary.gateway.in_flight");
        inFlight.Add(5);
        inFlight.Add(-2);
        _meter.CreateObservableCounter("granary.calls.sent", () => 42L);

        var text = _collector.Scrape();

        Assert.Contains("# TYPE granary_gateway_in_flight gauge\ngranary_gateway_in_flight 3\n", text);
        Assert.Contains("# TYPE granary_calls_sent_total counter\ngranary_calls_sent_total 42\n", text);
    }

    [Fact]
    public void Scrape_LabelValueWithQuoteBackslashAndNewline_IsEscaped()
    {
        var counter = _meter.CreateCounter<long>("granary.escape");
        counter.Add(1, new KeyValuePair<string, object?>("path", "a\"b\\c\nd"));

        var text = _collector.Scrape();

        Assert.Contains("granary_escape_total{path=\"a\\\"b\\\\c\\nd\"} 1\n", text);
    }

    [Fact]
    public void Scrape_TagKeyWithDots_IsSanitizedAsLabelName()
    {
        var counter = _meter.CreateCounter<int>("granary.sanitize");
        counter.Add(1, new KeyValuePair<string, object?>("http.response.status_code", 200));

        var text = _collector.Scrape();

        Assert.Contains("granary_sanitize_total{http_response_status_code=\"200\"} 1\n", text);
    }

    [Fact]
    public void Scrape_MeterNotExported_IsAbsent()
    {
        using var other = new Meter("Other.Meter." + Guid.NewGuid().ToString("N"));
        other.CreateCounter<long>("other.requests").Add(1);

        var text = _collector.Scrape();

        Assert.DoesNotContain("other_requests", text);
    }

    [Fact]
    public async Task Record_ConcurrentAdds_LosesNoIncrement()
    {
        var counter = _meter.CreateCounter<double>("granary.concurrent");
        var tag = new KeyValuePair<string, object?>("k", "v");
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
                counter.Add(0.5, tag);
        })));

        var text = _collector.Scrape();

        Assert.Contains("granary_concurrent_total{k=\"v\"} 20000\n", text);
    }
}
