using System.Diagnostics;
using Granary.Runtime.Hosting;

namespace Granary.Silo.Dashboard;

/// <summary>
/// Samples this silo's load once a second for <c>/api/overview</c>: grain calls/s (delta of
/// <see cref="IActivationDirectory.CallsHandled"/> over the elapsed time), CPU percent (delta of
/// <see cref="Process.TotalProcessorTime"/> / elapsed wall time / <see cref="Environment.ProcessorCount"/> × 100)
/// and the working set. Reading <see cref="Current"/> costs nothing; the hot path only pays the
/// catalog's one interlocked increment per call.
/// </summary>
internal sealed class SiloStatsSampler : IHostedService, IDisposable
{
    /// <summary>Sampling interval: 1 s.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private const double Mib = 1024 * 1024;

    private readonly IActivationDirectory _directory;
    private readonly TimeProvider _time;
    private readonly Func<TimeSpan> _cpuTime;
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private long _lastTimestamp;
    private long _lastCalls;
    private TimeSpan _lastCpu;
    private LocalSiloStats _current;

    public SiloStatsSampler(IActivationDirectory directory, TimeProvider time)
        : this(directory, time, ProcessCpuTime)
    {
    }

    /// <param name="directory">The catalog (calls counter).</param>
    /// <param name="time">Clock of the sampling timer and elapsed times.</param>
    /// <param name="cpuTime">Total CPU time of the process so far (tests pass a fake).</param>
    internal SiloStatsSampler(IActivationDirectory directory, TimeProvider time, Func<TimeSpan> cpuTime)
    {
        _directory = directory;
        _time = time;
        _cpuTime = cpuTime;
        _lastTimestamp = time.GetTimestamp();
        _lastCalls = directory.CallsHandled;
        _lastCpu = cpuTime();
        _current = new LocalSiloStats(0, 0, Environment.WorkingSet / Mib);
    }

    /// <summary>The latest sample (zero rates before the first interval has passed).</summary>
    public LocalSiloStats Current => Volatile.Read(ref _current);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = _time.CreateTimer(static s => ((SiloStatsSampler)s!).Sample(), this, Interval, Interval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>Takes one sample now (the timer calls it every <see cref="Interval"/>; tests call it directly).</summary>
    internal void Sample()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var elapsed = _time.GetElapsedTime(_lastTimestamp, now);
            if (elapsed <= TimeSpan.Zero)
                return;
            var calls = _directory.CallsHandled;
            var cpu = _cpuTime();
            var callsPerSec = Math.Max(0, calls - _lastCalls) / elapsed.TotalSeconds;
            var cpuPercent = Math.Clamp((cpu - _lastCpu).TotalSeconds / elapsed.TotalSeconds / Environment.ProcessorCount * 100, 0, 100);
            _lastTimestamp = now;
            _lastCalls = calls;
            _lastCpu = cpu;
            Volatile.Write(ref _current, new LocalSiloStats(Math.Round(callsPerSec, 1), Math.Round(cpuPercent, 1), Math.Round(Environment.WorkingSet / Mib, 1)));
        }
    }

    private static TimeSpan ProcessCpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
