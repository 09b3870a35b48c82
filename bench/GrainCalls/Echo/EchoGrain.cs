namespace Granary.Bench.GrainCalls.Echo;

/// <summary>The echo grain (grain type <c>bench-echo</c>): no state, no I/O, answers synchronously.</summary>
[GrainType("bench-echo")]
public sealed class EchoGrain : Grain, IEchoGrain
{
    /// <inheritdoc />
    public ValueTask<EchoValue> EchoAsync(EchoValue value) => ValueTask.FromResult(value);
}
