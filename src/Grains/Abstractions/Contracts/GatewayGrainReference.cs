using Granary.Runtime;
using Granary.Runtime.Invocation;
using Granary.Runtime.Serialization;

namespace Granary.Grains.Contracts;

/// <summary>The typed reference to an <see cref="IGatewayGrain"/>: each method is one call through the invoker.</summary>
internal sealed class GatewayGrainReference(GrainId grainId, IGrainCallInvoker invoker) : GrainReference(grainId, invoker), IGatewayGrain
{
    public async ValueTask ReportAsync(GatewayStats stats) =>
        await Invoker.InvokeAsync<GatewayStats, Empty>(GrainId, GatewayGrainMethods.Report, stats).ConfigureAwait(false);

    public ValueTask<GatewayStats> GetStatsAsync() =>
        Invoker.InvokeAsync<Empty, GatewayStats>(GrainId, GatewayGrainMethods.GetStats, Empty.Value);
}
