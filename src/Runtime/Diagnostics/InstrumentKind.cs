namespace Granary.Runtime.Diagnostics;

/// <summary>How an instrument's measurements are aggregated and which Prometheus type it renders as.</summary>
internal enum InstrumentKind
{
    /// <summary>Synchronous counter: measurements are added (Prometheus counter).</summary>
    Counter,

    /// <summary>Synchronous up-down counter: measurements are added (Prometheus gauge).</summary>
    UpDownCounter,

    /// <summary>Synchronous gauge: last value wins (Prometheus gauge).</summary>
    Gauge,

    /// <summary>Observable counter: the observed value is the cumulative total (Prometheus counter).</summary>
    ObservableCounter,

    /// <summary>Observable up-down counter or gauge: the observed value is current (Prometheus gauge).</summary>
    ObservableGauge,

    /// <summary>Histogram: bucket counts, sum and count (Prometheus histogram).</summary>
    Histogram,
}
