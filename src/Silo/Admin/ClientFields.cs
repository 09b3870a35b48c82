namespace Granary.Silo.Admin;

/// <summary>The fields of an admin request body; null when absent.</summary>
/// <param name="ClientId">Validated client id.</param>
/// <param name="Capacity">Validated capacity, tokens.</param>
/// <param name="RatePerSec">Validated refill rate, tokens/s.</param>
internal readonly record struct ClientFields(string? ClientId, long? Capacity, double? RatePerSec);
