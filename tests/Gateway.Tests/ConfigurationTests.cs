using Granary.Gateway.Configuration;
using Granary.Grains.LoadBalancing;
using Microsoft.Extensions.Configuration;
using Yarp.ReverseProxy.Configuration;

namespace Granary.Gateway.Tests;

public sealed class ConfigurationTests
{
    private static ClusterConfig Cluster(Dictionary<string, string>? metadata, Dictionary<string, string>? destinationMetadata = null) => new()
    {
        ClusterId = "backends",
        Metadata = metadata,
        Destinations = new Dictionary<string, DestinationConfig>
        {
            ["b2"] = new() { Address = "http://127.0.0.1:5002/", Metadata = destinationMetadata },
            ["b1"] = new() { Address = "http://127.0.0.1:5001/" },
        },
    };

    [Fact]
    public void Parse_UnknownPolicy_MessageListsEveryValidName()
    {
        var ex = Assert.Throws<GatewayConfigurationException>(() => ClusterSettings.Parse(Cluster(new() { [GranaryMetadata.Policy] = "Fastest" })));

        Assert.Contains("'Fastest'", ex.Message);
        Assert.Contains("backends", ex.Message);
        foreach (var name in BalancingPolicyNames.All)
            Assert.Contains(name, ex.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("heavy")]
    public void Parse_BadWeight_MessageNamesDestinationAndRange(string weight)
    {
        var ex = Assert.Throws<GatewayConfigurationException>(() => ClusterSettings.Parse(Cluster(null, new() { [GranaryMetadata.Weight] = weight })));

        Assert.Contains("destination 'b2'", ex.Message);
        Assert.Contains("Granary.Weight must be an integer from 1 to 1000", ex.Message);
    }

    [Fact]
    public void Parse_SeveralBadNumbers_ListsAllProblems()
    {
        var ex = Assert.Throws<GatewayConfigurationException>(() => ClusterSettings.Parse(Cluster(new()
        {
            [GranaryMetadata.HealthRise] = "0",
            [GranaryMetadata.OutlierBaseEjectionMs] = "-5",
        })));

        Assert.Contains(GranaryMetadata.HealthRise, ex.Message);
        Assert.Contains(GranaryMetadata.OutlierBaseEjectionMs, ex.Message);
    }

    [Fact]
    public void Parse_NoMetadata_UsesDefaultsAndOrdersDestinationsById()
    {
        var settings = ClusterSettings.Parse(Cluster(null));

        Assert.Equal(BalancingPolicyNames.LeastConnections, settings.Policy);
        Assert.Equal(["b1", "b2"], settings.Destinations.Select(d => d.DestinationId));
        var b1 = settings.Destinations[0];
        Assert.Equal("/healthz", b1.HealthPath);
        Assert.Equal(BalancingPolicyNames.LeastConnections, b1.Policy);
        Assert.Equal((1, 2000, 1000, 2, 3, 5, 30000), (b1.Weight, b1.ProbeIntervalMs, b1.ProbeTimeoutMs, b1.Rise, b1.Fall, b1.ConsecutiveFailures, b1.BaseEjectionMs));
    }

    [Fact]
    public void Parse_ValuesGiven_CarriedIntoBackendConfigs()
    {
        var settings = ClusterSettings.Parse(Cluster(new()
        {
            [GranaryMetadata.Policy] = "powerOFtwoChoices",
            [GranaryMetadata.HealthPath] = "",
            [GranaryMetadata.HealthIntervalMs] = "500",
            [GranaryMetadata.HealthFall] = "7",
        }, new() { [GranaryMetadata.Weight] = "5" }));

        Assert.Equal(BalancingPolicyNames.PowerOfTwoChoices, settings.Policy);
        Assert.All(settings.Destinations, d => Assert.Equal(BalancingPolicyNames.PowerOfTwoChoices, d.Policy));
        var b2 = settings.Destinations[1];
        Assert.Null(b2.HealthPath);
        Assert.Equal((5, 500, 7, "backends", "http://127.0.0.1:5002/"), (b2.Weight, b2.ProbeIntervalMs, b2.Fall, b2.ClusterId, b2.Address));
    }

    [Fact]
    public async Task ConfigFilter_UnknownPolicy_RejectsClusterSoReloadFails()
    {
        var filter = new GranaryConfigFilter();

        var ex = await Assert.ThrowsAsync<GatewayConfigurationException>(async () =>
            await filter.ConfigureClusterAsync(Cluster(new() { [GranaryMetadata.Policy] = "Nope" }), CancellationToken.None));
        Assert.Contains(BalancingPolicyNames.ConsistentHash, ex.Message);
        var ok = Cluster(null);
        Assert.Same(ok, await filter.ConfigureClusterAsync(ok, CancellationToken.None));
    }

    [Fact]
    public void Validate_ConfigurationWithBadPolicyAndBadGatewayOption_ThrowsListingBoth()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:c1:Metadata:Granary.Policy"] = "Bogus",
            ["ReverseProxy:Clusters:c1:Destinations:d1:Address"] = "http://127.0.0.1:5001/",
        }).Build();

        var ex = Assert.Throws<GatewayConfigurationException>(() => GatewayConfigValidator.Validate(
            config.GetSection("ReverseProxy"), new GatewayOptions { RenewIntervalMs = 1000, InFlightLeaseMs = 1500 }, new RateLimitOptions()));

        Assert.Contains("'Bogus'", ex.Message);
        Assert.Contains(BalancingPolicyNames.RoundRobin, ex.Message);
        Assert.Contains("InFlightLeaseMs", ex.Message);
    }

    [Fact]
    public void Validate_ValidConfiguration_DoesNotThrow()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:c1:Metadata:Granary.Policy"] = "RoundRobin",
            ["ReverseProxy:Clusters:c1:Destinations:d1:Address"] = "http://127.0.0.1:5001/",
            ["ReverseProxy:Clusters:c1:Destinations:d1:Metadata:Granary.Weight"] = "3",
        }).Build();

        var cluster = GatewayConfigValidator.ReadCluster(config.GetSection("ReverseProxy:Clusters:c1"));
        GatewayConfigValidator.Validate(config.GetSection("ReverseProxy"), new GatewayOptions(), new RateLimitOptions());

        Assert.Equal(3, ClusterSettings.Parse(cluster).Destinations[0].Weight);
    }
}
