using Granary.Grains.Contracts;
using Granary.Grains.Health;
using Granary.Tests.Common;

namespace Granary.Grains.Tests.Health;

public sealed class OutlierDetectorTests
{
    private readonly ManualTimeProvider _time = new();

    private OutlierDetector Create(int failures = 5, int baseMs = 30_000) => new(failures, TimeSpan.FromMilliseconds(baseMs), _time);

    private static string? Fail(OutlierDetector detector, int times, OutcomeKind kind = OutcomeKind.ServerError)
    {
        string? last = null;
        for (var i = 0; i < times; i++)
            last = detector.Record(kind) ?? last;
        return last;
    }

    [Fact]
    public void Record_ConsecutiveFailures_Ejects()
    {
        var detector = Create();
        Assert.Null(Fail(detector, 4));
        Assert.False(detector.IsEjected);
        var reason = detector.Record(OutcomeKind.ConnectFailure);
        Assert.Equal("5 consecutive failures (last: ConnectFailure); ejected for 30000 ms (ejection 1)", reason);
        Assert.True(detector.IsEjected);
        Assert.Equal(1, detector.Ejections);
    }

    [Fact]
    public void EjectionCause_NamesTheFailuresOfTheLatestEjectionAndOutlivesIt()
    {
        var detector = Create(failures: 2, baseMs: 1000);
        Assert.Null(detector.EjectionCause);
        Fail(detector, 2, OutcomeKind.Timeout);
        Assert.Equal("2 consecutive failures (last: Timeout)", detector.EjectionCause);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(detector.Refresh());
        Fail(detector, 1, OutcomeKind.Timeout);
        Fail(detector, 1, OutcomeKind.ServerError);

        Assert.Equal("2 consecutive failures (last: ServerError)", detector.EjectionCause);
    }

    [Fact]
    public void Record_SuccessBetweenFailures_ResetsCount()
    {
        var detector = Create();
        Fail(detector, 4);
        detector.Record(OutcomeKind.Success);
        Assert.Null(Fail(detector, 4));
        Assert.False(detector.IsEjected);
    }

    [Fact]
    public void Record_Canceled_IgnoredEitherWay()
    {
        var detector = Create(failures: 3);
        Fail(detector, 2, OutcomeKind.Timeout);
        Fail(detector, 10, OutcomeKind.Canceled);
        Assert.Equal(2, detector.ConsecutiveFailures);
        Assert.NotNull(detector.Record(OutcomeKind.Timeout));
    }

    [Fact]
    public void Refresh_AfterEjectionTime_UnEjects()
    {
        var detector = Create(failures: 1, baseMs: 1000);
        detector.Record(OutcomeKind.ServerError);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Null(detector.Refresh());
        Assert.True(detector.IsEjected);
        Assert.Equal(TimeSpan.FromMilliseconds(1), detector.EjectionRemaining);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(detector.IsEjected);
        Assert.Equal("ejection of 1000 ms ended", detector.Refresh());
        Assert.Null(detector.Refresh());
    }

    [Fact]
    public void Record_FailuresWhileEjected_Ignored()
    {
        var detector = Create(failures: 2, baseMs: 1000);
        Fail(detector, 2);
        Assert.Null(Fail(detector, 10));
        Assert.Equal(1, detector.Ejections);
        _time.Advance(TimeSpan.FromSeconds(1));
        detector.Refresh();
        Assert.Equal(0, detector.ConsecutiveFailures);
        Assert.Null(detector.Record(OutcomeKind.ServerError));
    }

    [Fact]
    public void Record_RepeatedEjections_LengthGrowsThenCapsAtTenTimesBase()
    {
        var detector = Create(failures: 1, baseMs: 1000);
        var lengths = new List<TimeSpan>();
        for (var i = 0; i < 12; i++)
        {
            detector.Refresh();
            Assert.NotNull(detector.Record(OutcomeKind.ServerError));
            lengths.Add(detector.EjectionLength);
            _time.Advance(detector.EjectionLength);
        }
        Assert.Equal(TimeSpan.FromSeconds(1), lengths[0]);
        Assert.Equal(TimeSpan.FromSeconds(2), lengths[1]);
        Assert.Equal(TimeSpan.FromSeconds(3), lengths[2]);
        Assert.Equal(TimeSpan.FromSeconds(10), lengths[9]);
        Assert.Equal(TimeSpan.FromSeconds(10), lengths[11]);
        Assert.Equal(12, detector.Ejections);
    }

    [Fact]
    public void Constructor_BadSettings_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Create(failures: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Create(baseMs: 0));
    }
}
