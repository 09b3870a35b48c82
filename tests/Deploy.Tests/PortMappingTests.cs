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

    [Theory]
    [InlineData("127.0.0.1:${SILO_PORT:-9090}:9090", "127.0.0.1", 9090, 9090, 9090)]
    [InlineData("${GATEWAY_PORTS:-8080-8082}:8080", null, 8080, 8082, 8080)]
    [InlineData("${GATEWAY_PORTS-8080-8082}:8080", null, 8080, 8082, 8080)]
    [InlineData("127.0.0.1:${UNSET}:5001", "127.0.0.1", null, null, 5001)]
    [InlineData("$UNSET:5001", null, null, null, 5001)]
    [InlineData("${SET:-9090}:9090", null, 7000, 7000, 9090)]
    [InlineData("$SET:9090", null, 7000, 7000, 9090)]
    public void Parse_ComposeVariables_InterpolatedAsComposeDoesFirst(string text, string? ip, int? first, int? last, int container)
    {
        var p = PortMapping.Parse(text, new Dictionary<string, string> { ["SET"] = "7000" });

        Assert.Equal((ip, first, last, container), (p.HostIp, p.HostFirst, p.HostLast, p.ContainerPort));
        Assert.Equal(text, p.Text);
    }

    [Fact]
    public void Parse_ComposeVariables_AreListedWithTheirDefaults()
    {
        var p = PortMapping.Parse("127.0.0.1:${A:-9090}:9090");
        var q = PortMapping.Parse("${B}:80");

        var a = Assert.Single(p.Variables);
        Assert.Equal(("A", true, false), (a.Name, a.HasDefault, a.IsSet));
        Assert.False(Assert.Single(q.Variables).HasDefault);
        Assert.False(q.IsPublished);
        Assert.False(PortMapping.Parse("${C:-}:80").Variables.Single().HasDefault);
        Assert.Empty(PortMapping.Parse("8080:80").Variables);
    }

    [Theory]
    [InlineData("${REQUIRED:?set it}:80")]
    [InlineData("${UNTERMINATED:-80:80")]
    [InlineData("${A:-8082-8080}:8080")]
    public void Parse_InvalidAfterInterpolation_Throws(string text)
    {
        Assert.Throws<FormatException>(() => PortMapping.Parse(text));
    }

    [Fact]
    public void Parse_DoubleDollar_IsALiteralDollar()
    {
        Assert.Equal("$A:80", Interpolation.Substitute("$$A:80", _ => "x", Interpolation.Escapes.Compose));
    }
}
