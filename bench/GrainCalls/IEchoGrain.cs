using Granary.Runtime;

namespace Granary.Bench.GrainCalls;

/// <summary>The smallest useful grain: returns its argument.</summary>
internal interface IEchoGrain : IGrain
{
    ValueTask<EchoValue> EchoAsync(EchoValue value);
}
