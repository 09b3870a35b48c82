namespace Granary.Gateway.Cluster;

/// <summary>Where the gateway's Orleans client looks for silos, for log messages.</summary>
/// <param name="Description">E.g. <c>static gateways 127.0.0.1:30000</c> or <c>the PostgreSQL membership table of cluster 'granary'</c>.</param>
internal sealed record ClusterTarget(string Description);
