namespace Granary.Silo.Dashboard;

/// <summary><c>GET /api/overview</c>: every silo of the cluster and every gateway heard from in the last 15 s.</summary>
/// <param name="ClusterId">The cluster id (<c>Granary:ClusterId</c>).</param>
/// <param name="ViewVersion">The answering silo's membership view version.</param>
/// <param name="GeneratedAt">When the answer was made, Unix ms.</param>
/// <param name="AnsweredBy">Address of the silo that answered (an addition to the contract).</param>
/// <param name="Silos">Every non-Dead silo, the answering one first.</param>
/// <param name="Gateways">Gateways by id.</param>
internal sealed record ClusterOverview(
    string ClusterId,
    long ViewVersion,
    long GeneratedAt,
    string AnsweredBy,
    IReadOnlyList<SiloOverviewView> Silos,
    IReadOnlyList<GatewayView> Gateways);
