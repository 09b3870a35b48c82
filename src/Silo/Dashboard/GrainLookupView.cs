namespace Granary.Silo.Dashboard;

/// <summary><c>GET /api/grains/{type}/{key}</c>: where a grain is active and its read-only state.</summary>
/// <param name="GrainId">The grain id, <c>type/key</c>.</param>
/// <param name="Type">Grain type: <c>client</c>, <c>backend</c> or <c>gateway</c>.</param>
/// <param name="Key">Grain key.</param>
/// <param name="Owner">The silo the grain is active on by Orleans's grain directory, or null when it is not active (or the directory did not answer).</param>
/// <param name="Active">Whether the grain is active; null when the directory could not be asked.</param>
/// <param name="State">The grain's read-only state (client: GetState; backend: GetDetails; gateway: GetStats), or null when it is not active (backend, gateway) or did not answer.</param>
/// <param name="Error">Why <see cref="State"/> or <see cref="Active"/> is missing when a call failed, or null.</param>
internal sealed record GrainLookupView(
    string GrainId,
    string Type,
    string Key,
    string? Owner,
    bool? Active,
    object? State,
    string? Error);
