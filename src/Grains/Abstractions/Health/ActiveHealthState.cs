namespace Granary.Grains.Health;

/// <summary>
/// The rise/fall state machine of HAProxy's active health checks: a destination starts up;
/// <c>fall</c> consecutive failed probes mark it down, and then <c>rise</c> consecutive successful
/// probes mark it up again. A result that does not change the state only moves the counters.
/// Not thread-safe: one owner (a backend grain) drives it.
/// </summary>
public sealed class ActiveHealthState
{
    private int _rise;
    private int _fall;

    /// <summary>Creates the state machine, up.</summary>
    /// <param name="rise">Consecutive successes that bring a down destination up, ≥ 1 (HAProxy default 2).</param>
    /// <param name="fall">Consecutive failures that take an up destination down, ≥ 1 (HAProxy default 3).</param>
    /// <exception cref="ArgumentOutOfRangeException">A threshold is below 1.</exception>
    public ActiveHealthState(int rise, int fall) => SetThresholds(rise, fall);

    /// <summary>True while the destination is up.</summary>
    public bool IsUp { get; private set; } = true;

    /// <summary>Successes in a row (0 after a failure).</summary>
    public int ConsecutiveSuccesses { get; private set; }

    /// <summary>Failures in a row (0 after a success).</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>What the last failed probe said (e.g. <c>"connection refused"</c>); null before the first failure.</summary>
    public string? LastFailure { get; private set; }

    /// <summary>The <c>rise</c> threshold.</summary>
    public int Rise => _rise;

    /// <summary>The <c>fall</c> threshold.</summary>
    public int Fall => _fall;

    /// <summary>Changes the thresholds, keeping state and counters (they apply from the next result).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A threshold is below 1.</exception>
    public void SetThresholds(int rise, int fall)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rise, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fall, 1);
        _rise = rise;
        _fall = fall;
    }

    /// <summary>Records a successful probe.</summary>
    /// <returns>The reason of the transition when this result brought the destination up (e.g. <c>"2 consecutive probe successes"</c>); null otherwise.</returns>
    public string? RecordSuccess()
    {
        ConsecutiveFailures = 0;
        ConsecutiveSuccesses = ConsecutiveSuccesses == int.MaxValue ? int.MaxValue : ConsecutiveSuccesses + 1;
        if (IsUp || ConsecutiveSuccesses < _rise)
            return null;
        IsUp = true;
        return $"{ConsecutiveSuccesses} consecutive probe successes";
    }

    /// <summary>Records a failed probe.</summary>
    /// <param name="detail">What went wrong, e.g. <c>"HTTP 503"</c> or <c>"connection refused"</c>.</param>
    /// <returns>The reason of the transition when this result took the destination down (e.g. <c>"3 consecutive probe failures: connection refused"</c>); null otherwise.</returns>
    public string? RecordFailure(string detail)
    {
        ConsecutiveSuccesses = 0;
        ConsecutiveFailures = ConsecutiveFailures == int.MaxValue ? int.MaxValue : ConsecutiveFailures + 1;
        LastFailure = detail;
        if (!IsUp || ConsecutiveFailures < _fall)
            return null;
        IsUp = false;
        return $"{ConsecutiveFailures} consecutive probe failures: {detail}";
    }
}
