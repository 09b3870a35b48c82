using Granary.Silo.Dashboard;

namespace Granary.Silo.Tests;

public sealed class CallRatesTests
{
    private static readonly SiloAddress A = SiloAddress.New(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 11111), 1);
    private static readonly SiloAddress B = SiloAddress.New(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 11112), 1);
    private const long T0 = 1_800_000_000_000;

    private static SiloLoad At(double seconds, long calls) => new(calls, T0 + (long)(seconds * 1000));

    [Fact]
    public void Observe_FirstSample_NullThenRateOverTheInterval()
    {
        var rates = new CallRates();

        Assert.Null(rates.Observe(A, At(0, 1_000)));
        Assert.Equal(150, rates.Observe(A, At(2, 1_300)));
    }

    [Fact]
    public void Observe_WithinASecond_RepeatsTheLastRate()
    {
        var rates = new CallRates();
        rates.Observe(A, At(0, 0));
        rates.Observe(A, At(1, 100));

        Assert.Equal(100, rates.Observe(A, At(1.5, 1_000_000)));
        Assert.Equal(50, rates.Observe(A, At(3, 200)));
    }

    [Fact]
    public void Observe_SilosKeptApart_AndRetainForgetsOthers()
    {
        var rates = new CallRates();
        rates.Observe(A, At(0, 0));
        rates.Observe(B, At(0, 0));
        Assert.Equal(10, rates.Observe(A, At(1, 10)));
        Assert.Equal(20, rates.Observe(B, At(1, 20)));

        rates.Retain(new HashSet<SiloAddress> { A });

        Assert.Null(rates.Observe(B, At(5, 100)));
        Assert.Equal(5, rates.Observe(A, At(3, 20)));
    }

    [Fact]
    public void Observe_CounterGoesBack_ZeroNotNegative()
    {
        var rates = new CallRates();
        rates.Observe(A, At(0, 500));

        Assert.Equal(0, rates.Observe(A, At(1, 100)));
    }
}
