namespace Granary.Bench.GrainCalls.Echo;

/// <summary>A bare Orleans grain: one method that returns its argument (the baseline Granary's grains are compared with).</summary>
[Alias("bench.IEchoGrain")]
public interface IEchoGrain : IGrainWithStringKey
{
    /// <summary>Returns <paramref name="value"/>.</summary>
    [Alias("Echo")]
    ValueTask<EchoValue> EchoAsync(EchoValue value);
}
