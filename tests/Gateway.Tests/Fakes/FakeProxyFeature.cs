using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Granary.Gateway.Tests.Fakes;

internal sealed class FakeProxyFeature : IReverseProxyFeature
{
    public FakeProxyFeature(ClusterState cluster, IReadOnlyList<DestinationState> destinations)
    {
        Route = new RouteModel(new RouteConfig { RouteId = "r", ClusterId = cluster.ClusterId }, cluster, HttpTransformer.Default);
        Cluster = cluster.Model;
        AllDestinations = destinations;
        AvailableDestinations = destinations;
    }

    public RouteModel Route { get; }

    public ClusterModel Cluster { get; }

    public IReadOnlyList<DestinationState> AllDestinations { get; }

    public IReadOnlyList<DestinationState> AvailableDestinations { get; set; }

    public DestinationState? ProxiedDestination { get; set; }
}
