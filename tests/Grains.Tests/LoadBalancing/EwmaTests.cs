using Granary.Grains.LoadBalancing;
using Granary.Tests.Common;

namespace Granary.Grains.Tests.LoadBalancing;

public sealed class EwmaTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void Value_NoSamples_Zero()
    {
        var ewma = new Ewma(Ewma.DefaultTimeConstant, _time);
        Assert.Equal(0, ewma.Value);
        Assert.Equal(0, ewma.Count);
    }

    [Fact]
    public void Update_FirstSample_SetsValue()
    {
        var ewma = new Ewma(Ewma.DefaultTimeConstant, _time);
        ewma.Update(42);
        Assert.Equal(42, ewma.Value);
    }

    [Fact]
    public void Update_StepChange_CoversOneMinusOneOverEWithinTau()
    {
        var ewma = new Ewma(TimeSpan.FromSeconds(10), _time);
        ewma.Update(100);
        for (var i = 0; i < 100; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            ewma.Update(10);
        }
        // After τ the old level keeps weight e^-1 exactly, however the samples were spaced.
        Assert.Equal(10 + (90 * Math.Exp(-1)), ewma.Value, 6);
    }

    [Fact]
    public void Update_ConstantSamples_ConvergesToThem()
    {
        var ewma = new Ewma(TimeSpan.FromSeconds(1), _time);
        ewma.Update(500);
        for (var i = 0; i < 100; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            ewma.Update(20);
        }
        // 10 τ later the old level keeps weight e^-10: 480 × 4.5e-5 ≈ 0.02.
        Assert.InRange(ewma.Value, 20, 20.03);
    }

    [Fact]
    public void Update_AfterLongIdle_NewSampleDominates()
    {
        var ewma = new Ewma(TimeSpan.FromSeconds(10), _time);
        ewma.Update(1000);
        _time.Advance(TimeSpan.FromMinutes(10));
        ewma.Update(5);
        Assert.Equal(5, ewma.Value, 6);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Update_InvalidSample_Ignored(double sample)
    {
        var ewma = new Ewma(Ewma.DefaultTimeConstant, _time);
        ewma.Update(10);
        _time.Advance(TimeSpan.FromSeconds(5));
        ewma.Update(sample);
        Assert.Equal(10, ewma.Value);
        Assert.Equal(1, ewma.Count);
    }

    [Fact]
    public void Constructor_NonPositiveTau_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ewma(TimeSpan.Zero, _time));
}
