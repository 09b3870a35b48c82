namespace Granary.Deploy.Tests;

/// <summary>The allow-list is only useful if it refuses: these prove it does, and that it knows the real keys.</summary>
public sealed class ConfigurationKeysTests
{
    [Theory]
    [InlineData("Granary__Silo__SiloPort")]
    [InlineData("Granary__Silo__GatewayPort")]
    [InlineData("Granary__Silo__HttpPort")]
    [InlineData("Granary__Silo__Membership__ProbeTimeout")]
    [InlineData("Granary__Silo__WriteBehindIntervalMs")]
    [InlineData("Granary__Tls__CertificatePath")]
    [InlineData("Granary__Silo__AdvertisedHost")]
    [InlineData("Granary__RateLimit__DefaultCapacity")]
    [InlineData("Granary__PostgreSql__ConnectionString")]
    [InlineData("Granary__ClusterId")]
    [InlineData("Logging__LogLevel__Default")]
    [InlineData("ASPNETCORE_HTTP_PORTS")]
    public void IsKnownVariable_SiloKey_Accepted(string variable)
    {
        Assert.True(ConfigurationKeys.For(ServiceKind.Silo).IsKnownVariable(variable, out var why), why);
    }

    [Theory]
    [InlineData("Granary__Silo__GrainPort")]
    [InlineData("Granary__ClusterSecret")]
    [InlineData("Granary__Silo__Membership__ProbeTimout")]
    [InlineData("Granary__Gateway__Urls")]
    [InlineData("Granary__RateLimit__FallbackCapacity")]
    [InlineData("GRANARY_SILO_PORT")]
    public void IsKnownVariable_UnknownOrOtherHostsKey_RefusedForSilo(string variable)
    {
        Assert.False(ConfigurationKeys.For(ServiceKind.Silo).IsKnownVariable(variable, out var why));
        Assert.NotEmpty(why);
    }

    [Theory]
    [InlineData("Granary__Gateway__Urls")]
    [InlineData("Granary__Gateway__Id")]
    [InlineData("Granary__RateLimit__FallbackCapacity")]
    [InlineData("Granary__Client__Gateways__0")]
    [InlineData("Granary__Client__ConnectRetryDelayMs")]
    [InlineData("Granary__Tls__CaPath")]
    [InlineData("Granary__PostgreSql__ConnectionString")]
    [InlineData("ReverseProxy__Clusters__backends__Destinations__b2__Address")]
    [InlineData("ReverseProxy__Clusters__backends__Metadata__Granary.Policy")]
    public void IsKnownVariable_GatewayKey_Accepted(string variable)
    {
        Assert.True(ConfigurationKeys.For(ServiceKind.Gateway).IsKnownVariable(variable, out var why), why);
    }

    [Theory]
    [InlineData("ReverseProxy__Clusters__backends__Destinations__b9__Address")]
    [InlineData("ReverseProxy__Clusters__backend__Destinations__b1__Address")]
    [InlineData("Granary__Client__Gateways__x")]
    [InlineData("Granary__Client__Silos__0")]
    [InlineData("Granary__Client__CallTimeoutMs")]
    [InlineData("Granary__Silo__Host")]
    public void IsKnownVariable_UnknownGatewayKey_Refused(string variable)
    {
        Assert.False(ConfigurationKeys.For(ServiceKind.Gateway).IsKnownVariable(variable, out _));
    }

    [Fact]
    public void IsKnownVariable_Backend_TakesNoGranaryConfiguration()
    {
        var keys = ConfigurationKeys.For(ServiceKind.Backend);

        Assert.False(keys.IsKnownVariable("Granary__Silo__SiloPort", out _));
        Assert.True(keys.IsKnownVariable("ASPNETCORE_HTTP_PORTS", out _));
    }
}
