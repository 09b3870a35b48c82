namespace Granary.Runtime.Catalog;

/// <summary>Registered by <c>AddGrain&lt;TGrain&gt;</c>: grain type <paramref name="GrainType"/> is implemented by <paramref name="GrainClass"/> on this silo.</summary>
internal sealed record GrainClassRegistration(string GrainType, Type GrainClass);
