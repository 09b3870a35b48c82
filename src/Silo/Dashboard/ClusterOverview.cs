namespace Granary.Silo.Dashboard;

/// <summary><c>GET /api/overview</c>: every silo of the cluster and every gateway heard from in the last 15 s.</summary>
/// <param name="ClusterId">The cluster id (<c>Granary:ClusterId</c>).</param>
/// <param name="ViewVersion">The answering silo's membership version.</param>
/// <param name="GeneratedAt">When the answer was made, Unix ms.</param>
/// <param name="AnsweredBy">Address of the silo that answered.</param>
/// <param name="Silos">The answering silo first, then every other silo that is not Dead by address, then the latest Dead incarnation of each address (at most <see cref="DashboardApiHandler.MaxDeadSilos"/>, newest first).</param>
/// <param name="Gateways">Gateways by id.</param>
internal sealed record ClusterOverview(
    string ClusterId,
    long ViewVersion,
    long GeneratedAt,
    string AnsweredBy,
    IReadOnlyList<SiloOverviewView> Silos,
    IReadOnlyList<GatewayView> Gateways);
