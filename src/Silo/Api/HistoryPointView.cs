namespace Granary.Silo.Api;

/// <summary>One second of a backend's traffic in <c>/api/backends</c>' <c>history</c>: <c>{"t":unix ms,"rps":requests/s,"latency_ms":mean ms}</c>.</summary>
internal sealed record HistoryPointView(long T, double Rps, double LatencyMs);
