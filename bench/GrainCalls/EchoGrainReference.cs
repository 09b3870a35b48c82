using Granary.Runtime;
using Granary.Runtime.Invocation;

namespace Granary.Bench.GrainCalls;

/// <summary>Hand-written client proxy of <see cref="IEchoGrain"/>.</summary>
internal sealed class EchoGrainReference(GrainId grainId, IGrainCallInvoker invoker) : GrainReference(grainId, invoker), IEchoGrain
{
    public ValueTask<EchoValue> EchoAsync(EchoValue value) => Invoker.InvokeAsync<EchoValue, EchoValue>(GrainId, EchoGrainDescriptor.EchoMethod, value);
}
