namespace Granary.Grains.Contracts;

/// <summary>
/// One per destination (grain type <c>"backend"</c>, key = <c>{clusterId}/{destinationId}</c>, see
/// <see cref="BackendKey"/>). The single authority for the destination's cluster-wide in-flight
/// count (the sum of each gateway's absolute contribution, each with a lease), its health (one
/// active probe for the whole cluster, with HAProxy-style rise/fall, plus passive outlier
/// ejection in the manner of Envoy), its EWMA latency and its weight.
/// Calls on the request path time out after <see cref="GrainCallTimeouts.HotPath"/>, the reads
/// after <see cref="GrainCallTimeouts.Admin"/>.
/// </summary>
[Alias("granary.IBackendGrain")]
public interface IBackendGrain : IGrainWithStringKey
{
    /// <summary>
    /// Sets the destination's address, weight and health settings. Gateways send it at start,
    /// on config change, and whenever a status says <see cref="BackendStatus.Configured"/> is false.
    /// </summary>
    /// <exception cref="ArgumentException">A setting is out of range (the message names it).</exception>
    [Alias("Configure"), ResponseTimeout(GrainCallTimeouts.HotPath)]
    ValueTask<BackendStatus> ConfigureAsync(BackendConfig config);

    /// <summary>
    /// Records a gateway's absolute in-flight count for this destination (sent when a request
    /// starts, and as a lease renewal). Idempotent: re-sending the same value changes nothing.
    /// </summary>
    /// <exception cref="ArgumentException">Empty gateway id, negative count, or a lease out of range.</exception>
    [Alias("ReportInFlight"), ResponseTimeout(GrainCallTimeouts.HotPath)]
    ValueTask<BackendStatus> ReportInFlightAsync(InFlightReport report);

    /// <summary>
    /// Records a finished request: the gateway's new absolute in-flight count, the latency and
    /// the outcome (feeds EWMA and passive health).
    /// </summary>
    /// <exception cref="ArgumentException">Empty gateway id, negative count, or a lease out of range.</exception>
    [Alias("ReportOutcome"), ResponseTimeout(GrainCallTimeouts.HotPath)]
    ValueTask<BackendStatus> ReportOutcomeAsync(RequestOutcome outcome);

    /// <summary>
    /// Batched mode: records a gateway's absolute in-flight count and the requests that finished
    /// since its last batch, each exactly as <see cref="ReportOutcomeAsync"/> would (EWMA, passive
    /// health, traffic), in order. Sent on an interval instead of per request.
    /// </summary>
    /// <exception cref="ArgumentException">Empty gateway id, negative count, a lease out of range, or more than <see cref="OutcomeBatch.MaxOutcomes"/> samples.</exception>
    [Alias("ReportBatch"), ResponseTimeout(GrainCallTimeouts.HotPath)]
    ValueTask<BackendStatus> ReportBatchAsync(OutcomeBatch batch);

    /// <summary>The current status.</summary>
    [Alias("GetStatus"), ReadOnly, ResponseTimeout(GrainCallTimeouts.HotPath)]
    ValueTask<BackendStatus> GetStatusAsync();

    /// <summary>The full state for the dashboard and admin API: status plus per-gateway contributions and health history.</summary>
    [Alias("GetDetails"), ReadOnly, ResponseTimeout(GrainCallTimeouts.Admin)]
    ValueTask<BackendDetails> GetDetailsAsync();
}
