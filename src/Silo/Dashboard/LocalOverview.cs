namespace Granary.Silo.Dashboard;

/// <summary><c>GET /api/local/overview</c>: this silo and the gateways whose grains it hosts.</summary>
internal sealed record LocalOverview(SiloOverviewView Silo, IReadOnlyList<GatewayView> Gateways);
