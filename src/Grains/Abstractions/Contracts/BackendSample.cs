namespace Granary.Grains.Contracts;

/// <summary>One second of a destination's traffic (an element of <see cref="BackendDetails.History"/>).</summary>
/// <param name="UnixMs">Start of the second, ms since the Unix epoch (a multiple of 1000).</param>
/// <param name="RequestsPerSec">Outcomes reported during that second, requests/s.</param>
/// <param name="LatencyMs">Mean reported latency during that second, ms; 0 when there were no requests.</param>
[GenerateSerializer, Immutable, Alias("granary.BackendSample")]
public readonly record struct BackendSample([property: Id(0)] long UnixMs, [property: Id(1)] double RequestsPerSec, [property: Id(2)] double LatencyMs);
