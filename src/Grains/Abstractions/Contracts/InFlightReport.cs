namespace Granary.Grains.Contracts;

/// <summary>A gateway's absolute in-flight count for one destination (argument of <see cref="IBackendGrain.ReportInFlightAsync"/>).</summary>
/// <param name="GatewayId">The reporting gateway's id (unique per gateway process).</param>
/// <param name="InFlight">Requests this gateway has in flight to the destination now, ≥ 0.</param>
/// <param name="LeaseMs">How long the contribution counts without renewal, ms; after that it is dropped (a dead gateway leaks nothing).</param>
[GenerateSerializer, Immutable, Alias("granary.InFlightReport")]
public readonly record struct InFlightReport([property: Id(0)] string GatewayId, [property: Id(1)] int InFlight, [property: Id(2)] int LeaseMs);
