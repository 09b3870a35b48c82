using Granary.Runtime.Membership;

namespace Granary.Silo.Dashboard;

/// <summary>A silo of the membership table as the dashboard sees it.</summary>
/// <param name="Silo">The incarnation (endpoint and generation).</param>
/// <param name="Status">Its status in the table (<c>Joining</c>, <c>Active</c>, <c>ShuttingDown</c>), or <c>Unknown</c> for this silo when the table has no row for it.</param>
/// <param name="HttpUrl">Its HTTP base URL (<c>http://host:port</c>), or null when it did not advertise an HTTP port.</param>
/// <param name="IsSelf">True for the silo answering the request.</param>
internal sealed record ClusterMember(SiloAddress Silo, string Status, string? HttpUrl, bool IsSelf);
