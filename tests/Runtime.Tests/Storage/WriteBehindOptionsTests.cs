using Granary.Runtime.Hosting;

namespace Granary.Runtime.Tests.Storage;

public sealed class WriteBehindOptionsTests
{
    [Fact]
    public void SiloOptions_Defaults_OneSecondIntervalAndHundredThousandCap()
    {
        var options = new SiloOptions();

        Assert.Equal(1_000, options.WriteBehindIntervalMs);
        Assert.Equal(100_000, options.WriteBehindMaxPending);
        Assert.Empty(options.Validate());
    }

    [Theory]
    [InlineData(9)]
    [InlineData(1001)]
    public void Validate_IntervalOutside10To1000_NamesIt(int intervalMs)
    {
        var problems = new SiloOptions { WriteBehindIntervalMs = intervalMs }.Validate().ToList();

        Assert.Contains(problems, p => p.Contains(nameof(SiloOptions.WriteBehindIntervalMs)));
    }

    [Fact]
    public void Validate_MaxPendingZero_NamesIt()
    {
        var problems = new SiloOptions { WriteBehindMaxPending = 0 }.Validate().ToList();

        Assert.Contains(problems, p => p.Contains(nameof(SiloOptions.WriteBehindMaxPending)));
    }
}
