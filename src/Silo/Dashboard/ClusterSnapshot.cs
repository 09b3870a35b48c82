namespace Granary.Silo.Dashboard;

/// <summary>The silos to ask (every non-Dead row of the membership table, this silo first) and the view version.</summary>
/// <param name="ViewVersion">The version of this silo's membership view.</param>
/// <param name="Members">This silo, then the others by endpoint.</param>
internal sealed record ClusterSnapshot(long ViewVersion, IReadOnlyList<ClusterMember> Members)
{
    public ClusterMember Self => Members[0];
}
