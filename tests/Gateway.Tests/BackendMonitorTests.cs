using System.Diagnostics.CodeAnalysis;
using Granary.Gateway.Balancing;
using Granary.Gateway.Cluster;
using Granary.Gateway.Diagnostics;
using Granary.Gateway.Fallback;
using Granary.Gateway.Tests.Fakes;
using Granary.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Granary.Gateway.Tests;

public sealed class BackendMonitorTests : IDisposable
{
    private readonly ManualTimeProvider _time = new();
    private readonly FakeGrainFactory _grains = new();
    private readonly TestMeterFactory _meters = new();
    private readonly ClusterBalancerRegistry _registry;
    private readonly ClusterConnectionState _connection = TestConnection.Connected();
    private readonly SiloCircuit _circuit;
    private readonly BackendMonitor _monitor;
    private readonly ClusterState _cluster = ProxyModels.Cluster("c", null, "b1", "b2");

    private sealed class FakeProxyState(params ClusterState[] clusters) : IProxyStateLookup
    {
        public IEnumerable<RouteModel> GetRoutes() => [];

        public IEnumerable<ClusterState> GetClusters() => clusters;

        public bool TryGetRoute(string id, [NotNullWhen(true)] out RouteModel? route)
        {
            route = null;
            return false;
        }

        public bool TryGetCluster(string id, [NotNullWhen(true)] out ClusterState? cluster)
        {
            cluster = clusters.FirstOrDefault(c => c.ClusterId == id);
            return cluster is not null;
        }
    }

    public BackendMonitorTests()
    {
        var options = TestOptions.Gateway();
        _registry = ProxyModels.Registry(new RecordingPolicy(), _time);
        _circuit = new SiloCircuit(_time, options, _connection, NullLogger<SiloCircuit>.Instance);
        var metrics = new GatewayMetrics(_meters, _registry);
        var reporter = new BackendReporter(_grains.References, _circuit, metrics, _time, new GatewayIdentity(options), NullLogger<BackendReporter>.Instance);
        _monitor = new BackendMonitor(new FakeProxyState(_cluster), _registry, reporter, _connection, _time, options, NullLogger<BackendMonitor>.Instance);
    }

    public void Dispose() => _meters.Dispose();

    [Fact]
    public async Task RunOnce_FirstPass_ConfiguresEveryDestinationThenReportsCount()
    {
        await _monitor.RunOnceAsync();

        var config = Assert.Single(_grains.Backend("c/b1").Configs);
        Assert.Equal(("c", "b1", "/healthz"), (config.ClusterId, config.DestinationId, config.HealthPath));
        Assert.Single(_grains.Backend("c/b2").Configs);
        Assert.Single(_grains.Backend("c/b1").InFlightReports);
    }

    [Fact]
    public async Task RunOnce_LaterPasses_RenewAbsoluteLocalCountWithoutReconfiguring()
    {
        await _monitor.RunOnceAsync();
        var entry = _registry.FindEntry("c", "b2")!;
        entry.IncrementLocal();
        entry.IncrementLocal();

        await _monitor.RunOnceAsync();

        Assert.Single(_grains.Backend("c/b2").Configs);
        var last = _grains.Backend("c/b2").InFlightReports.Last();
        Assert.Equal((2, 10_000, "gw-test"), (last.InFlight, last.LeaseMs, last.GatewayId));
    }

    [Fact]
    public async Task RunOnce_GrainSaysNotConfigured_ConfiguresAgain()
    {
        await _monitor.RunOnceAsync();
        _grains.Backend("c/b1").Configured = false; // e.g. re-activated on another silo

        await _monitor.RunOnceAsync();

        Assert.Equal(2, _grains.Backend("c/b1").Configs.Count);
        Assert.Single(_grains.Backend("c/b2").Configs);
    }

    [Fact]
    public async Task RunOnce_ConfigureFails_RetriedOnNextPassAndCircuitOpens()
    {
        _grains.Backend("c/b1").Failure = new TimeoutException("deadline");
        _grains.Backend("c/b2").Failure = new TimeoutException("deadline");

        await _monitor.RunOnceAsync();
        Assert.True(_circuit.InFallback);
        Assert.True(_registry.FindEntry("c", "b1")!.NeedsConfigure);

        _grains.Backend("c/b1").Failure = null;
        _grains.Backend("c/b2").Failure = null;
        await _monitor.RunOnceAsync();

        Assert.Single(_grains.Backend("c/b1").Configs);
        Assert.False(_registry.FindEntry("c", "b1")!.NeedsConfigure);
        Assert.False(_circuit.InFallback);
    }

    [Fact]
    public void GatewayIdentity_DefaultId_IsHostPidAndFourHexDigits()
    {
        var id = GatewayIdentity.CreateDefaultId("host-a", 4242, new Random(1));

        Assert.Matches("^host-a-4242-[0-9a-f]{4}$", id);
    }
}
