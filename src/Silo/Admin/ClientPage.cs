namespace Granary.Silo.Admin;

/// <summary><c>GET /clients</c>: one page, and the id to pass as <c>after</c> for the next (null on the last page).</summary>
internal sealed record ClientPage(IReadOnlyList<ClientView> Clients, string? NextAfter);
