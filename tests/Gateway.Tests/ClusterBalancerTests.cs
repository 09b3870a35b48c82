using Granary.Gateway.Balancing;
using Granary.Gateway.Configuration;
using Granary.Gateway.Tests.Fakes;
using Granary.Grains.Contracts;
using Granary.Grains.LoadBalancing;
using Granary.Tests.Common;

namespace Granary.Gateway.Tests;

public sealed class ClusterBalancerTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly RecordingPolicy _policy = new();

    private static BackendStatus Status(long total, bool healthy = true, double ewma = 0) =>
        new(Configured: true, Healthy: healthy, ActiveHealthy: healthy, Ejected: false, TotalInFlight: total, EwmaLatencyMs: ewma, Weight: 1, Requests: 0, Failures: 0);

    private (ClusterBalancer Balancer, List<Yarp.ReverseProxy.Model.DestinationState> Available) Create(IReadOnlyDictionary<string, string>? metadata = null, params string[] ids)
    {
        var registry = ProxyModels.Registry(_policy, _time);
        var cluster = ProxyModels.Cluster("c", metadata, ids.Length == 0 ? ["b3", "b1", "b2"] : ids);
        return (registry.GetOrCreate(cluster), ProxyModels.Destinations(cluster));
    }

    private DestinationEntry Entry(ClusterBalancer balancer, string id) => balancer.Find(id)!.Entry;

    [Fact]
    public void Select_NoStatusYet_AllCandidatesInIdOrderWithLocalCountsAndStaleFlag()
    {
        var (balancer, available) = Create();
        Entry(balancer, "b2").IncrementLocal();

        var selection = balancer.Select(available, null, null, _time.GetTimestamp());

        Assert.Equal(["b1", "b2", "b3"], _policy.LastCandidates.Select(c => c.DestinationId));
        Assert.Equal([0L, 1L, 0L], _policy.LastCandidates.Select(c => c.InFlight));
        Assert.True(selection.UsedStaleData);
        Assert.Equal("b1", selection.Entry!.DestinationId);
        Assert.Equal("b1", Assert.Single(selection.Destinations!).DestinationId);
    }

    [Fact]
    public void Select_StatusReportedWithOldLocal_OthersComputedFromThatReportPlusCurrentLocal()
    {
        var (balancer, available) = Create();
        var b1 = Entry(balancer, "b1");
        // We reported 2 of ours; the grain counted 7 in total, so 5 belong to other gateways.
        b1.IncrementLocal();
        b1.IncrementLocal();
        b1.ApplyStatus(Status(total: 7, ewma: 12.5), reportedLocal: 2, b1.NextSequence(), _time.GetTimestamp());
        // Since then one of ours finished and three started: local is now 4.
        b1.DecrementLocal();
        b1.IncrementLocal();
        b1.IncrementLocal();
        b1.IncrementLocal();
        // Another destination: the grain's total is below what we reported (a lease just expired): never negative.
        var b2 = Entry(balancer, "b2");
        b2.ApplyStatus(Status(total: 1), reportedLocal: 3, b2.NextSequence(), _time.GetTimestamp());

        var selection = balancer.Select(available, null, null, _time.GetTimestamp());

        var loads = _policy.LastCandidates.ToDictionary(c => c.DestinationId);
        Assert.Equal(5 + 4, loads["b1"].InFlight);
        Assert.Equal(12.5, loads["b1"].EwmaLatencyMs);
        Assert.Equal(0, loads["b2"].InFlight);
        Assert.True(selection.UsedStaleData); // b3 has no status yet
    }

    [Fact]
    public void Select_OlderStatusArrivesLate_IsIgnored()
    {
        var (balancer, available) = Create();
        var b1 = Entry(balancer, "b1");
        var older = b1.NextSequence();
        var newer = b1.NextSequence();
        b1.ApplyStatus(Status(total: 3), reportedLocal: 0, newer, _time.GetTimestamp());
        b1.ApplyStatus(Status(total: 50, healthy: false), reportedLocal: 0, older, _time.GetTimestamp());

        balancer.Select(available, null, null, _time.GetTimestamp());

        Assert.Equal(3, _policy.LastCandidates.Single(c => c.DestinationId == "b1").InFlight);
    }

    [Fact]
    public void Select_UnhealthyDestination_IsFilteredOut()
    {
        var (balancer, available) = Create();
        foreach (var id in new[] { "b1", "b2", "b3" })
        {
            var e = Entry(balancer, id);
            e.ApplyStatus(Status(0, healthy: id != "b2"), 0, e.NextSequence(), _time.GetTimestamp());
        }

        var selection = balancer.Select(available, null, null, _time.GetTimestamp());

        Assert.Equal(["b1", "b3"], _policy.LastCandidates.Select(c => c.DestinationId));
        Assert.False(selection.UsedStaleData);
    }

    [Fact]
    public void Select_AllUnhealthy_ReturnsNone()
    {
        var (balancer, available) = Create();
        foreach (var id in new[] { "b1", "b2", "b3" })
        {
            var e = Entry(balancer, id);
            e.ApplyStatus(Status(0, healthy: false), 0, e.NextSequence(), _time.GetTimestamp());
        }

        var selection = balancer.Select(available, null, null, _time.GetTimestamp());

        Assert.Null(selection.Entry);
        Assert.Null(selection.Destinations);
    }

    [Fact]
    public void Select_StatusOlderThanThreeLeases_OthersTreatedAsZeroAndHealthUnknown()
    {
        var (balancer, available) = Create();
        var b1 = Entry(balancer, "b1");
        b1.ApplyStatus(Status(total: 9, healthy: false), reportedLocal: 0, b1.NextSequence(), _time.GetTimestamp());

        _time.Advance(TimeSpan.FromMilliseconds(3 * 10_000 + 1));
        var selection = balancer.Select(available, null, null, _time.GetTimestamp());

        var b1Load = _policy.LastCandidates.Single(c => c.DestinationId == "b1");
        Assert.Equal(0, b1Load.InFlight);
        Assert.True(selection.UsedStaleData);
    }

    [Fact]
    public void Select_MarkedUnhealthy_AvoidedUntilNewerStatusSaysHealthy()
    {
        var (balancer, available) = Create();
        var b1 = Entry(balancer, "b1");
        var sentBeforeMark = b1.NextSequence();
        b1.MarkUnhealthy(_time.GetTimestamp());

        b1.ApplyStatus(Status(0), 0, sentBeforeMark, _time.GetTimestamp());
        balancer.Select(available, null, null, _time.GetTimestamp());
        Assert.DoesNotContain(_policy.LastCandidates, c => c.DestinationId == "b1");

        b1.ApplyStatus(Status(0), 0, b1.NextSequence(), _time.GetTimestamp());
        balancer.Select(available, null, null, _time.GetTimestamp());
        Assert.Contains(_policy.LastCandidates, c => c.DestinationId == "b1");
    }

    [Fact]
    public void Select_MarkedUnhealthyWithoutNews_ExpiresAfterBaseEjectionTime()
    {
        var (balancer, available) = Create(new Dictionary<string, string> { [GranaryMetadata.OutlierBaseEjectionMs] = "1000" });
        Entry(balancer, "b1").MarkUnhealthy(_time.GetTimestamp());

        _time.Advance(TimeSpan.FromMilliseconds(999));
        balancer.Select(available, null, null, _time.GetTimestamp());
        Assert.DoesNotContain(_policy.LastCandidates, c => c.DestinationId == "b1");

        _time.Advance(TimeSpan.FromMilliseconds(2));
        balancer.Select(available, null, null, _time.GetTimestamp());
        Assert.Contains(_policy.LastCandidates, c => c.DestinationId == "b1");
    }

    [Fact]
    public void Select_Excluded_NeverChosen()
    {
        var (balancer, available) = Create();

        var selection = balancer.Select(available, null, Entry(balancer, "b1"), _time.GetTimestamp());

        Assert.Equal(["b2", "b3"], _policy.LastCandidates.Select(c => c.DestinationId));
        Assert.Equal("b2", selection.Entry!.DestinationId);
    }

    [Fact]
    public void Select_WeightsFromDestinationMetadata_PassedToPolicy()
    {
        var registry = ProxyModels.Registry(_policy, _time);
        var cluster = ProxyModels.Cluster("w", null, "a", "b");
        var config = cluster.Model.Config with
        {
            Destinations = new Dictionary<string, Yarp.ReverseProxy.Configuration.DestinationConfig>
            {
                ["a"] = new() { Address = "http://127.0.0.1:9/", Metadata = new Dictionary<string, string> { [GranaryMetadata.Weight] = "4" } },
                ["b"] = new() { Address = "http://127.0.0.1:9/" },
            },
        };
        var state = new Yarp.ReverseProxy.Model.ClusterState("w", new Yarp.ReverseProxy.Model.ClusterModel(config, cluster.Model.HttpClient));

        registry.GetOrCreate(state).Select(ProxyModels.Destinations(state), null, null, 0);

        Assert.Equal([4, 1], _policy.LastCandidates.Select(c => c.Weight));
    }

    [Fact]
    public void GetOrCreate_ConfigReloaded_NewBalancerSharesDestinationEntries()
    {
        var registry = ProxyModels.Registry(_policy, _time);
        var cluster = ProxyModels.Cluster("c", null, "b1", "b2");
        var first = registry.GetOrCreate(cluster);
        first.Find("b1")!.Entry.IncrementLocal();

        Assert.Same(first, registry.GetOrCreate(cluster));
        var reloaded = new Yarp.ReverseProxy.Model.ClusterState("c", new Yarp.ReverseProxy.Model.ClusterModel(
            cluster.Model.Config with { Metadata = new Dictionary<string, string> { [GranaryMetadata.Policy] = BalancingPolicyNames.RoundRobin } },
            cluster.Model.HttpClient));
        var second = registry.GetOrCreate(reloaded);

        Assert.NotSame(first, second);
        Assert.Same(first.Find("b1")!.Entry, second.Find("b1")!.Entry);
        Assert.Equal(1, second.Find("b1")!.Entry.LocalInFlight);
    }

    [Fact]
    public void Select_ConsistentHashPolicy_ReceivesHashKeyFlag()
    {
        var policy = new RecordingPolicy(BalancingPolicyNames.ConsistentHash);
        var registry = ProxyModels.Registry(policy, _time);
        var balancer = registry.GetOrCreate(ProxyModels.Cluster("h", null, "x", "y"));

        Assert.True(balancer.NeedsHashKey);
        Assert.False(ProxyModels.Registry(_policy, _time).GetOrCreate(ProxyModels.Cluster("n", null, "x")).NeedsHashKey);
    }
}
