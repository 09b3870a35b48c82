using Granary.Grains.Health;

namespace Granary.Grains.Tests.Health;

public sealed class ActiveHealthStateTests
{
    [Fact]
    public void New_StartsUp()
    {
        var state = new ActiveHealthState(rise: 2, fall: 3);
        Assert.True(state.IsUp);
        Assert.Equal(0, state.ConsecutiveFailures);
    }

    [Fact]
    public void RecordFailure_FallTimes_GoesDownWithReason()
    {
        var state = new ActiveHealthState(rise: 2, fall: 3);
        Assert.Null(state.RecordFailure("HTTP 503"));
        Assert.Null(state.RecordFailure("HTTP 503"));
        Assert.True(state.IsUp);
        Assert.Equal("3 consecutive probe failures: connection refused", state.RecordFailure("connection refused"));
        Assert.False(state.IsUp);
        Assert.Null(state.RecordFailure("connection refused")); // already down: no transition
    }

    [Fact]
    public void LastFailure_KeepsTheLatestDetailThroughSuccesses()
    {
        var state = new ActiveHealthState(rise: 2, fall: 1);
        Assert.Null(state.LastFailure);
        state.RecordFailure("HTTP 503");
        state.RecordFailure("connection refused");
        state.RecordSuccess();

        Assert.Equal("connection refused", state.LastFailure);
        Assert.Equal((0, 1), (state.ConsecutiveFailures, state.ConsecutiveSuccesses));
    }

    [Fact]
    public void RecordSuccess_InterruptsFailureRun()
    {
        var state = new ActiveHealthState(rise: 2, fall: 3);
        state.RecordFailure("x");
        state.RecordFailure("x");
        state.RecordSuccess();
        state.RecordFailure("x");
        state.RecordFailure("x");
        Assert.True(state.IsUp);
        Assert.NotNull(state.RecordFailure("x"));
    }

    [Fact]
    public void RecordSuccess_RiseTimesWhileDown_GoesUpWithReason()
    {
        var state = new ActiveHealthState(rise: 2, fall: 1);
        Assert.NotNull(state.RecordFailure("timeout after 1000 ms"));
        Assert.Null(state.RecordSuccess());
        Assert.False(state.IsUp);
        Assert.Null(state.RecordFailure("x")); // resets the success run
        Assert.Null(state.RecordSuccess());
        Assert.Equal("2 consecutive probe successes", state.RecordSuccess());
        Assert.True(state.IsUp);
        Assert.Null(state.RecordSuccess());
    }

    [Fact]
    public void SetThresholds_KeepsState()
    {
        var state = new ActiveHealthState(rise: 2, fall: 1);
        state.RecordFailure("x");
        state.SetThresholds(rise: 1, fall: 5);
        Assert.False(state.IsUp);
        Assert.NotNull(state.RecordSuccess());
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    public void Constructor_ThresholdBelowOne_Throws(int rise, int fall) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ActiveHealthState(rise, fall));
}
