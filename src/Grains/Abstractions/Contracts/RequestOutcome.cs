namespace Granary.Grains.Contracts;

/// <summary>A finished request (argument of <see cref="IBackendGrain.ReportOutcomeAsync"/>).</summary>
/// <param name="GatewayId">The reporting gateway.</param>
/// <param name="InFlight">The gateway's absolute in-flight count for the destination after this request, ≥ 0.</param>
/// <param name="LeaseMs">Lease of that contribution, ms (as in <see cref="InFlightReport"/>).</param>
/// <param name="LatencyMs">Time from forwarding to the end of the response, ms.</param>
/// <param name="Outcome">How it ended.</param>
[GenerateSerializer, Immutable, Alias("granary.RequestOutcome")]
public readonly record struct RequestOutcome([property: Id(0)] string GatewayId, [property: Id(1)] int InFlight, [property: Id(2)] int LeaseMs, [property: Id(3)] double LatencyMs, [property: Id(4)] OutcomeKind Outcome);
