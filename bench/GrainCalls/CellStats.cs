namespace Granary.Bench.GrainCalls;

/// <summary>What one cell's caller loops recorded: latencies of the good calls, failed or wrong calls.</summary>
internal sealed class CellStats
{
    private long _errors;
    private string? _firstError;

    public LatencyHistogram Histogram { get; } = new();

    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>The first error's text (exception type and message, or the wrong answer).</summary>
    public string? FirstError => Volatile.Read(ref _firstError);

    public void RecordError(string what)
    {
        Interlocked.Increment(ref _errors);
        Interlocked.CompareExchange(ref _firstError, what, null);
    }
}
