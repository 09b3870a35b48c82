namespace Granary.Grains.Contracts;

/// <summary>One finished request inside an <see cref="OutcomeBatch"/>.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="LatencyMs">Time from forwarding to the end of the response, ms.</param>
[GenerateSerializer, Immutable, Alias("granary.OutcomeSample")]
public readonly record struct OutcomeSample([property: Id(0)] OutcomeKind Outcome, [property: Id(1)] double LatencyMs);
