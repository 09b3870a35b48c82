using Yarp.ReverseProxy.Configuration;

namespace Granary.Gateway.Configuration;

/// <summary>
/// Rejects a YARP configuration whose Granary metadata is invalid. YARP runs config filters on the
/// first load (a failure stops start-up) and on every reload (a failure keeps the previous
/// configuration and logs the error), so a reload with an unknown policy name is refused too.
/// </summary>
internal sealed class GranaryConfigFilter : IProxyConfigFilter
{
    /// <inheritdoc />
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        ClusterSettings.Parse(cluster);
        return ValueTask.FromResult(cluster);
    }

    /// <inheritdoc />
    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(route);
}
