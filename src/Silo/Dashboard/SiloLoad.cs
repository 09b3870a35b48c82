namespace Granary.Silo.Dashboard;

/// <summary>A silo's running total of calls served by Granary's grains (<see cref="GrainCallCounter"/>), read at <see cref="AtUnixMs"/>.</summary>
/// <param name="GrainCalls">Calls served since the silo started.</param>
/// <param name="AtUnixMs">When the total was read, ms since the Unix epoch, by the silo's clock.</param>
[GenerateSerializer, Immutable, Alias("granary.SiloLoad")]
internal sealed record SiloLoad([property: Id(0)] long GrainCalls, [property: Id(1)] long AtUnixMs);
