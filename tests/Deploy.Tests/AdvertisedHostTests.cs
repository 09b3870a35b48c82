using Granary.Runtime.Hosting;
using Granary.Runtime.Membership;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.Deploy.Tests;

/// <summary>In a container the silo binds 0.0.0.0 but must be reachable by its service name: <c>Granary:Silo:AdvertisedHost</c>.</summary>
public sealed class AdvertisedHostTests
{
    private static SiloAddress LocalAddress(Action<SiloOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddGranarySilo(configure);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<ILocalSiloDetails>().SiloAddress;
    }

    [Fact]
    public void SiloAddress_AdvertisedHostSet_UsesItInsteadOfTheBindAddress()
    {
        var address = LocalAddress(o => { o.Host = "0.0.0.0"; o.AdvertisedHost = "silo1"; o.GrainPort = 11111; });

        Assert.Equal("silo1:11111", address.Endpoint);
    }

    [Fact]
    public void SiloAddress_NoAdvertisedHost_UsesHost()
    {
        var address = LocalAddress(o => { o.Host = "127.0.0.1"; o.GrainPort = 11112; });

        Assert.Equal("127.0.0.1:11112", address.Endpoint);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("*")]
    public void Validate_WildcardAdvertisedHost_NamesTheProperty(string host)
    {
        var problems = new SiloOptions { Host = "0.0.0.0", AdvertisedHost = host }.Validate().ToList();

        Assert.Contains(problems, p => p.Contains(nameof(SiloOptions.AdvertisedHost), StringComparison.Ordinal));
    }
}
