namespace Granary.Grains.Contracts;

/// <summary>One gateway's share of a destination's in-flight count.</summary>
/// <param name="GatewayId">The gateway.</param>
/// <param name="InFlight">Its last reported absolute count.</param>
/// <param name="ExpiresInMs">Time left on its lease, ms.</param>
public sealed record InFlightContribution(string GatewayId, int InFlight, long ExpiresInMs);
