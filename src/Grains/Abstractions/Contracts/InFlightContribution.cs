namespace Granary.Grains.Contracts;

/// <summary>One gateway's share of a destination's in-flight count.</summary>
/// <param name="GatewayId">The gateway.</param>
/// <param name="InFlight">Its last reported absolute count.</param>
/// <param name="ExpiresInMs">Time left on its lease, ms.</param>
[GenerateSerializer, Immutable, Alias("granary.InFlightContribution")]
public sealed record InFlightContribution([property: Id(0)] string GatewayId, [property: Id(1)] int InFlight, [property: Id(2)] long ExpiresInMs);
