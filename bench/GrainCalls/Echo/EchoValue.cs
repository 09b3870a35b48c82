namespace Granary.Bench.GrainCalls.Echo;

/// <summary>The echo grain's argument and answer: one 32-bit integer, the smallest useful message.</summary>
/// <param name="Value">Returned unchanged by <see cref="IEchoGrain.EchoAsync"/>.</param>
[GenerateSerializer, Immutable, Alias("bench.EchoValue")]
public readonly record struct EchoValue([property: Id(0)] int Value);
