using Granary.Runtime;
using Granary.Runtime.Invocation;
using Granary.Runtime.Serialization;

namespace Granary.Grains.Contracts;

/// <summary>The typed reference to an <see cref="IBackendGrain"/>: each method is one call through the invoker.</summary>
internal sealed class BackendGrainReference(GrainId grainId, IGrainCallInvoker invoker) : GrainReference(grainId, invoker), IBackendGrain
{
    public ValueTask<BackendStatus> ConfigureAsync(BackendConfig config) =>
        Invoker.InvokeAsync<BackendConfig, BackendStatus>(GrainId, BackendGrainMethods.Configure, config);

    public ValueTask<BackendStatus> ReportInFlightAsync(InFlightReport report) =>
        Invoker.InvokeAsync<InFlightReport, BackendStatus>(GrainId, BackendGrainMethods.ReportInFlight, report);

    public ValueTask<BackendStatus> ReportOutcomeAsync(RequestOutcome outcome) =>
        Invoker.InvokeAsync<RequestOutcome, BackendStatus>(GrainId, BackendGrainMethods.ReportOutcome, outcome);

    public ValueTask<BackendStatus> ReportBatchAsync(OutcomeBatch batch) =>
        Invoker.InvokeAsync<OutcomeBatch, BackendStatus>(GrainId, BackendGrainMethods.ReportBatch, batch);

    public ValueTask<BackendStatus> GetStatusAsync() =>
        Invoker.InvokeAsync<Empty, BackendStatus>(GrainId, BackendGrainMethods.GetStatus, Empty.Value);

    public ValueTask<BackendDetails> GetDetailsAsync() =>
        Invoker.InvokeAsync<Empty, BackendDetails>(GrainId, BackendGrainMethods.GetDetails, Empty.Value);
}
