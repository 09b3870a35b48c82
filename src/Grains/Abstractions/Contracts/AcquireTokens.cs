namespace Granary.Grains.Contracts;

/// <summary>Argument of <see cref="IClientGrain.TryAcquireAsync"/>.</summary>
/// <param name="Tokens">Tokens to take, at least 1 (one per request in the gateway).</param>
[GenerateSerializer, Immutable, Alias("granary.AcquireTokens")]
public readonly record struct AcquireTokens([property: Id(0)] int Tokens);
