using Granary.Runtime;

namespace Granary.Bench.GrainCalls;

/// <summary>Echo grain: no state, completes synchronously, so a call measures only the runtime and transport.</summary>
internal sealed class EchoGrain : Grain, IEchoGrain
{
    public ValueTask<EchoValue> EchoAsync(EchoValue value) => new(value);
}
