namespace Granary.Deploy.Tests;

public sealed class PortMappingTests
{
    [Theory]
    [InlineData("8080", null, null, null, 8080)]
    [InlineData("9091:9090", null, 9091, 9091, 9090)]
    [InlineData("127.0.0.1:5002:5001", "127.0.0.1", 5002, 5002, 5001)]
    [InlineData("8080-8082:8080", null, 8080, 8082, 8080)]
    [InlineData("127.0.0.1:8080-8082:8080/tcp", "127.0.0.1", 8080, 8082, 8080)]
    public void Parse_ShortSyntax_ReadsEveryPart(string text, string? ip, int? first, int? last, int container)
    {
        var p = PortMapping.Parse(text);

        Assert.Equal((ip, first, last, container), (p.HostIp, p.HostFirst, p.HostLast, p.ContainerPort));
    }

    [Theory]
    [InlineData("8082-8080:8080")]
    [InlineData("70000:80")]
    [InlineData("a:b:c:d")]
    public void Parse_Invalid_Throws(string text)
    {
        Assert.Throws<FormatException>(() => PortMapping.Parse(text));
    }

    [Fact]
    public void Overlaps_RangeContainingAPort_True()
    {
        Assert.True(PortMapping.Parse("8080-8082:8080").Overlaps(PortMapping.Parse("8081:80")));
        Assert.False(PortMapping.Parse("8080-8082:8080").Overlaps(PortMapping.Parse("8083:80")));
    }
}
