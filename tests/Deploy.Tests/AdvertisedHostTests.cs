using System.Reflection;

namespace Granary.Deploy.Tests;

/// <summary>
/// In a container the silo binds 0.0.0.0 but must be reachable by its service name: <c>Granary:Silo:AdvertisedHost</c>
/// (<c>Granary.Silo.GranarySiloOptions</c>, whose validation the silo runs at start-up).
/// </summary>
public sealed class AdvertisedHostTests
{
    private static List<string> Problems(string host, string? advertised)
    {
        var type = Type.GetType("Granary.Silo.GranarySiloOptions, Granary.Silo", throwOnError: true)!;
        var options = Activator.CreateInstance(type, nonPublic: true)!;
        type.GetProperty("Host")!.SetValue(options, host);
        type.GetProperty("AdvertisedHost")!.SetValue(options, advertised);
        var validate = type.GetMethod("Validate", BindingFlags.Public | BindingFlags.Instance)!;
        return [.. (IEnumerable<string>)validate.Invoke(options, [9090])!];
    }

    [Fact]
    public void Validate_WildcardHostWithServiceName_Accepted()
    {
        Assert.Empty(Problems("0.0.0.0", "silo1"));
    }

    [Fact]
    public void Validate_AdvertisedHostWithoutWildcardHost_NamesBothKeys()
    {
        var problem = Assert.Single(Problems("127.0.0.1", "silo1"));

        Assert.Contains("AdvertisedHost", problem, StringComparison.Ordinal);
        Assert.Contains("Granary:Silo:Host", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("*")]
    public void Validate_WildcardAdvertisedHost_NamesTheProperty(string advertised)
    {
        Assert.Contains(Problems("0.0.0.0", advertised), p => p.Contains("AdvertisedHost", StringComparison.Ordinal));
    }
}
