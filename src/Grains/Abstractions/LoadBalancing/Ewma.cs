using System.Diagnostics;

namespace Granary.Grains.LoadBalancing;

/// <summary>
/// A time-decayed exponentially weighted moving average (of latency, in ms). A sample <c>x</c>
/// arriving <c>Δt</c> after the previous one updates the average <c>v</c> as
/// <c>w = e^(−Δt/τ); v ← w·v + (1 − w)·x</c>; the first sample sets <c>v = x</c>. The weight of
/// history therefore depends on elapsed time, not on the number of samples: after a step change
/// the average covers 63 % of the step within τ, 95 % within 3τ, whatever the request rate.
/// This is the decay Finagle's peak-EWMA balancer uses (<c>com.twitter.finagle.loadbalancer.PeakEwma</c>),
/// without its peak rule (a single slow outlier does not jump the average). Elapsed time comes
/// from the monotonic clock of the injected <see cref="TimeProvider"/>. Not thread-safe: one owner
/// (a backend grain) updates it.
/// </summary>
public sealed class Ewma
{
    /// <summary>The default time constant τ: 10 s (Finagle's default decay time).</summary>
    public static readonly TimeSpan DefaultTimeConstant = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _timeProvider;
    private readonly double _tauSeconds;
    private long _lastSample;

    /// <summary>Creates an empty average.</summary>
    /// <param name="timeConstant">τ, greater than zero; see <see cref="DefaultTimeConstant"/>.</param>
    /// <param name="timeProvider">The clock (monotonic timestamps are used).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeConstant"/> is not positive.</exception>
    public Ewma(TimeSpan timeConstant, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeConstant, TimeSpan.Zero);
        _tauSeconds = timeConstant.TotalSeconds;
        _timeProvider = timeProvider;
    }

    /// <summary>The average; 0 before the first sample.</summary>
    public double Value { get; private set; }

    /// <summary>Samples taken so far.</summary>
    public long Count { get; private set; }

    /// <summary>Adds a sample (ms, or any unit, as long as it is always the same). Negative or non-finite samples are ignored.</summary>
    /// <param name="sample">The sample, ≥ 0.</param>
    public void Update(double sample)
    {
        if (!(sample >= 0) || double.IsInfinity(sample))
            return;
        var now = _timeProvider.GetTimestamp();
        if (Count == 0)
        {
            Value = sample;
        }
        else
        {
            var elapsed = Math.Max(0, _timeProvider.GetElapsedTime(_lastSample, now).TotalSeconds);
            var w = Math.Exp(-elapsed / _tauSeconds);
            Value = (w * Value) + ((1 - w) * sample);
        }
        _lastSample = now;
        Count++;
        Debug.Assert(Value >= 0 && double.IsFinite(Value));
    }
}
