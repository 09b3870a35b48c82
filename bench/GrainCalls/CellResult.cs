namespace Granary.Bench.GrainCalls;

/// <summary>One measured cell: a target at one caller count.</summary>
/// <param name="Target">The <see cref="CallTarget"/>.</param>
/// <param name="Callers">Concurrent caller loops (= calls in flight).</param>
/// <param name="Grains">Distinct grains the callers called.</param>
/// <param name="Elapsed">Wall time from the first call to the last answer.</param>
/// <param name="Stats">Latencies of the good calls and the errors.</param>
/// <param name="Client">The client process's CPU, allocation and GC deltas over the cell.</param>
/// <param name="Silo">The silo process's deltas over the cell.</param>
/// <param name="LoadBefore">The machine's 1-minute load average before the cell (NaN where unknown).</param>
/// <param name="LoadAfter">The same after it.</param>
internal sealed record CellResult(
    CallTarget Target,
    int Callers,
    int Grains,
    TimeSpan Elapsed,
    CellStats Stats,
    ProcessSample Client,
    ProcessSample Silo,
    double LoadBefore,
    double LoadAfter)
{
    /// <summary>Calls answered correctly.</summary>
    public long Calls => Stats.Histogram.Count;

    public double CallsPerSecond => Calls / Elapsed.TotalSeconds;

    public double P50Ms => Stats.Histogram.PercentileMicros(0.50) / 1000;

    public double P99Ms => Stats.Histogram.PercentileMicros(0.99) / 1000;

    public double P999Ms => Stats.Histogram.PercentileMicros(0.999) / 1000;

    public double MaxMs => Stats.Histogram.PercentileMicros(1.0) / 1000;

    public double ClientCpuMicrosPerCall => Client.Cpu.TotalMicroseconds / Math.Max(1, Calls);

    public double SiloCpuMicrosPerCall => Silo.Cpu.TotalMicroseconds / Math.Max(1, Calls);

    /// <summary>Client bytes allocated per call; NaN if the process's allocation counter went backwards (see the csproj on DATAS).</summary>
    public double ClientBytesPerCall => PerCall(Client.AllocatedBytes);

    /// <summary>Silo bytes allocated per call; NaN if its allocation counter went backwards.</summary>
    public double SiloBytesPerCall => PerCall(Silo.AllocatedBytes);

    private double PerCall(long bytes) => bytes < 0 ? double.NaN : (double)bytes / Math.Max(1, Calls);

    /// <summary>The 1-minute load average (<c>/proc/loadavg</c>); NaN where there is none.</summary>
    public static double LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.AsSpan(0, text.IndexOf(' ')), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
        {
            return double.NaN;
        }
    }
}
