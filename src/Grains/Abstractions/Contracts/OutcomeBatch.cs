namespace Granary.Grains.Contracts;

/// <summary>
/// Argument of <see cref="IBackendGrain.ReportBatchAsync"/> (batched mode): a gateway's absolute
/// in-flight count for the destination now, and the requests that finished since its last batch,
/// in the order they finished.
/// The backend grain rejects a batch of more than <see cref="MaxOutcomes"/> samples with <see cref="ArgumentException"/>.
/// </summary>
/// <param name="GatewayId">The reporting gateway.</param>
/// <param name="InFlight">The gateway's absolute in-flight count for the destination, ≥ 0.</param>
/// <param name="LeaseMs">Lease of that contribution, ms (as in <see cref="InFlightReport"/>).</param>
/// <param name="Outcomes">Finished requests, oldest first; at most <see cref="MaxOutcomes"/>.</param>
[GenerateSerializer, Immutable, Alias("granary.OutcomeBatch")]
public sealed record OutcomeBatch([property: Id(0)] string GatewayId, [property: Id(1)] int InFlight, [property: Id(2)] int LeaseMs, [property: Id(3)] IReadOnlyList<OutcomeSample> Outcomes)
{
    /// <summary>The most samples in one batch: 8192.</summary>
    public const int MaxOutcomes = 8192;
}
