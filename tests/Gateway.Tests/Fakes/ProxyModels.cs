using Granary.Gateway.Balancing;
using Granary.Gateway.Diagnostics;
using Granary.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Granary.Gateway.Tests.Fakes;

/// <summary>Builds YARP cluster/destination models and a balancing registry for tests.</summary>
internal static class ProxyModels
{
    public static ClusterState Cluster(string clusterId, IReadOnlyDictionary<string, string>? metadata, params string[] destinationIds)
    {
        var destinations = new Dictionary<string, DestinationConfig>(StringComparer.OrdinalIgnoreCase);
        foreach (var id in destinationIds)
            destinations[id] = new DestinationConfig { Address = $"http://127.0.0.1:9/{id}/" };
        var config = new ClusterConfig { ClusterId = clusterId, Metadata = metadata, Destinations = destinations };
        return new ClusterState(clusterId, new ClusterModel(config, new HttpMessageInvoker(new SocketsHttpHandler())));
    }

    public static List<DestinationState> Destinations(ClusterState cluster)
    {
        var result = new List<DestinationState>();
        foreach (var (id, config) in cluster.Model.Config.Destinations!)
            result.Add(new DestinationState(id, new DestinationModel(config)));
        return result;
    }

    public static ClusterBalancerRegistry Registry(IPolicyProvider policies, ManualTimeProvider time, int leaseMs = 10_000) =>
        new(policies, time, TestOptions.Gateway(leaseMs: leaseMs), NullLogger<ClusterBalancerRegistry>.Instance);

    public static GatewayMetrics Metrics(ClusterBalancerRegistry registry) => new(new TestMeterFactory(), registry);
}
