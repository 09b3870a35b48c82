namespace Granary.Silo.Dashboard;

/// <summary><c>GET /api/grains/{type}/{key}</c>: where a grain lives and its read-only state.</summary>
/// <param name="GrainId">The grain id, <c>type/key</c>.</param>
/// <param name="Type">Grain type: <c>client</c>, <c>backend</c> or <c>gateway</c>.</param>
/// <param name="Key">Grain key.</param>
/// <param name="Owner">Owner by rendezvous placement over the answering silo's view, or null when no silo is active.</param>
/// <param name="OwnerHttpUrl">The owner's HTTP base URL, or null.</param>
/// <param name="Active">Whether the grain is active on its owner; null when the owner could not be asked.</param>
/// <param name="State">The grain's read-only state (client: GetState; backend: GetDetails; gateway: GetStats), or null when it is not active (backend, gateway) or did not answer.</param>
/// <param name="Error">Why <see cref="State"/> is missing when the grain was asked and failed, or null.</param>
internal sealed record GrainLookupView(
    string GrainId,
    string Type,
    string Key,
    string? Owner,
    string? OwnerHttpUrl,
    bool? Active,
    object? State,
    string? Error);
