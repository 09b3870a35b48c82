using System.Diagnostics.Metrics;

namespace Granary.Hosting.Http;

/// <summary>
/// Counts requests Kestrel itself rejects for a limit, before any application code runs: it listens to
/// Kestrel's <c>kestrel.connection.duration</c> (meter <c>Microsoft.AspNetCore.Server.Kestrel</c>, the
/// host's own, found by its <see cref="IMeterFactory"/>) and maps the connection's <c>error.type</c>
/// (<c>max_request_headers_total_size_exceeded</c>, <c>max_request_header_count_exceeded</c>,
/// <c>invalid_request_line</c>, <c>request_headers_timeout</c>) to a <see cref="HttpLimitKinds"/> value
/// passed to the callback. Body-size rejections are left to the application, which answers them in JSON
/// and counts them itself. One measurement per connection, at its end.
/// </summary>
public sealed class KestrelRejectionListener : IDisposable
{
    /// <summary>Kestrel's meter name.</summary>
    public const string KestrelMeterName = "Microsoft.AspNetCore.Server.Kestrel";

    private const string ConnectionDurationInstrument = "kestrel.connection.duration";

    private readonly MeterListener _listener = new();
    private readonly Action<string> _onRejected;

    /// <param name="meterFactory">The host's meter factory (Kestrel creates its meter from it).</param>
    /// <param name="onRejected">Called with the <see cref="HttpLimitKinds"/> value of each rejected connection; must not throw.</param>
    public KestrelRejectionListener(IMeterFactory meterFactory, Action<string> onRejected)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(onRejected);
        _onRejected = onRejected;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == ConnectionDurationInstrument && instrument.Meter.Name == KestrelMeterName && ReferenceEquals(instrument.Meter.Scope, meterFactory))
                listener.EnableMeasurementEvents(instrument, this);
        };
        _listener.SetMeasurementEventCallback<double>(static (_, _, tags, state) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "error.type" && tag.Value is string error && Map(error) is { } kind)
                    ((KestrelRejectionListener)state!)._onRejected(kind);
            }
        });
        _listener.Start();
    }

    /// <summary>The <see cref="HttpLimitKinds"/> value of a Kestrel <c>error.type</c>, or null when it is no limit of ours.</summary>
    public static string? Map(string errorType) => errorType switch
    {
        "max_request_headers_total_size_exceeded" => HttpLimitKinds.RequestHeadersTotalSize,
        "max_request_header_count_exceeded" => HttpLimitKinds.RequestHeaderCount,
        "invalid_request_line" => HttpLimitKinds.RequestLine,
        "request_headers_timeout" => HttpLimitKinds.RequestHeadersTimeout,
        _ => null,
    };

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();
}
