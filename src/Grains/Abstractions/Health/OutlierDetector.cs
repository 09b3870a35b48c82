using Granary.Grains.Contracts;

namespace Granary.Grains.Health;

/// <summary>
/// Passive health by outlier ejection, after Envoy's <c>consecutive_5xx</c> detector: a destination
/// whose requests fail (<see cref="OutcomeKind.ServerError"/>, <see cref="OutcomeKind.ConnectFailure"/>,
/// <see cref="OutcomeKind.Timeout"/>) <c>consecutiveFailures</c> times in a row is ejected for
/// <c>baseEjection × n</c>, where n is the number of times it has been ejected (capped at
/// <see cref="MaxEjectionMultiplier"/> × base, like Envoy's <c>max_ejection_time</c>). A success resets
/// the count; <see cref="OutcomeKind.Canceled"/> outcomes say nothing about the destination and
/// are ignored, as are outcomes reported while ejected (requests started before the ejection).
/// Un-ejection is lazy: <see cref="Refresh"/> (called before every read) notices that the time
/// has passed, using the monotonic clock of the injected <see cref="TimeProvider"/>. Unlike Envoy
/// the ejection count does not decay. Not thread-safe: one owner (a backend grain) drives it.
/// </summary>
public sealed class OutlierDetector
{
    /// <summary>The longest ejection, as a multiple of the base ejection time: 10.</summary>
    public const int MaxEjectionMultiplier = 10;

    private readonly TimeProvider _timeProvider;
    private int _threshold;
    private TimeSpan _baseEjection;
    private long _ejectedAt;
    private TimeSpan _ejectionLength;

    /// <summary>Creates a detector with nothing ejected.</summary>
    /// <param name="consecutiveFailures">Failures in a row that eject, ≥ 1 (Envoy default 5).</param>
    /// <param name="baseEjection">First ejection length, &gt; 0 (Envoy default 30 s).</param>
    /// <param name="timeProvider">The clock (monotonic timestamps are used).</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public OutlierDetector(int consecutiveFailures, TimeSpan baseEjection, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        SetThresholds(consecutiveFailures, baseEjection);
    }

    /// <summary>True while ejected (the ejection time has not yet passed). Does not change state; see <see cref="Refresh"/>.</summary>
    public bool IsEjected => _ejectionLength > TimeSpan.Zero && _timeProvider.GetElapsedTime(_ejectedAt) < _ejectionLength;

    /// <summary>Times ejected since creation.</summary>
    public int Ejections { get; private set; }

    /// <summary>Failures in a row since the last success or ejection.</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>Why the current (or last) ejection happened, e.g. <c>"5 consecutive failures (last: ServerError)"</c>; null before the first.</summary>
    public string? EjectionCause { get; private set; }

    /// <summary>How long the current (or last) ejection lasts; zero when not ejected.</summary>
    public TimeSpan EjectionLength => _ejectionLength;

    /// <summary>Time left of the current ejection; zero when not ejected.</summary>
    public TimeSpan EjectionRemaining
    {
        get
        {
            if (_ejectionLength <= TimeSpan.Zero)
                return TimeSpan.Zero;
            var left = _ejectionLength - _timeProvider.GetElapsedTime(_ejectedAt);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Changes the thresholds; an ejection in progress keeps its length.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void SetThresholds(int consecutiveFailures, TimeSpan baseEjection)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(consecutiveFailures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(baseEjection, TimeSpan.Zero);
        _threshold = consecutiveFailures;
        _baseEjection = baseEjection;
    }

    /// <summary>Ends an ejection whose time has passed.</summary>
    /// <returns>The reason of the transition when this call un-ejected the destination (e.g. <c>"ejection of 30000 ms ended"</c>); null otherwise.</returns>
    public string? Refresh()
    {
        if (_ejectionLength <= TimeSpan.Zero || IsEjected)
            return null;
        var length = _ejectionLength;
        _ejectionLength = TimeSpan.Zero;
        ConsecutiveFailures = 0;
        return $"ejection of {(long)length.TotalMilliseconds} ms ended";
    }

    /// <summary>Records how a request ended (call <see cref="Refresh"/> first).</summary>
    /// <returns>The reason of the transition when this outcome ejected the destination (e.g. <c>"5 consecutive failures (last: ServerError); ejected for 30000 ms (ejection 1)"</c>); null otherwise.</returns>
    public string? Record(OutcomeKind outcome)
    {
        if (outcome == OutcomeKind.Canceled || IsEjected)
            return null;
        if (outcome == OutcomeKind.Success)
        {
            ConsecutiveFailures = 0;
            return null;
        }
        ConsecutiveFailures++;
        if (ConsecutiveFailures < _threshold)
            return null;
        var failures = ConsecutiveFailures;
        Ejections++;
        _ejectionLength = _baseEjection * Math.Min(Ejections, MaxEjectionMultiplier);
        _ejectedAt = _timeProvider.GetTimestamp();
        ConsecutiveFailures = 0;
        EjectionCause = $"{failures} consecutive failures (last: {outcome})";
        return $"{EjectionCause}; ejected for {(long)_ejectionLength.TotalMilliseconds} ms (ejection {Ejections})";
    }
}
