namespace Granary.Silo.Dashboard;

/// <summary>A gateway in <c>/api/overview</c>, from its gateway grain's last heartbeat.</summary>
/// <param name="Id">The gateway id.</param>
/// <param name="LastSeenMsAgo">Age of the last heartbeat by the clock of the silo hosting its grain, ms.</param>
/// <param name="RequestsPerSec">Requests the gateway received over its last second, requests/s.</param>
/// <param name="Fallback">True when the gateway decided locally (silo circuit open) during its last second.</param>
/// <param name="SiloConnected">True when the gateway is connected to at least one silo.</param>
/// <param name="InFlight">Requests in flight through the gateway now.</param>
/// <param name="LastSeenAt">When the last heartbeat arrived, Unix ms (silo clock).</param>
/// <param name="Silo">Address of the silo the gateway grain is active on.</param>
internal sealed record GatewayView(
    string Id,
    long LastSeenMsAgo,
    double RequestsPerSec,
    bool Fallback,
    bool SiloConnected,
    long InFlight,
    long LastSeenAt,
    string Silo);
