using System.Net;
using Granary.Gateway.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace Granary.Gateway.Tests;

public sealed class ClientIdentityTests
{
    private static DefaultHttpContext Context(string? header = null, string ip = "10.1.2.3")
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(ip);
        context.Connection.RemotePort = 54321;
        if (header is not null)
            context.Request.Headers[ClientIdentity.HeaderName] = header;
        return context;
    }

    [Theory]
    [InlineData("user1", "user1")]
    [InlineData("  user.name@example.com  ", "user.name@example.com")]
    [InlineData("svc:api-key_9", "svc:api-key_9")]
    public void TryResolve_ValidHeader_ReturnsTrimmedId(string header, string expected)
    {
        Assert.True(ClientIdentity.TryResolve(Context(header), out var id));
        Assert.Equal(expected, id);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("slash/no")]
    [InlineData("   ")]
    [InlineData("ünïcode")]
    public void TryResolve_InvalidHeader_ReturnsFalse(string header) =>
        Assert.False(ClientIdentity.TryResolve(Context(header), out _));

    [Fact]
    public void TryResolve_HeaderOf128Chars_AcceptedAnd129Rejected()
    {
        Assert.True(ClientIdentity.TryResolve(Context(new string('a', 128)), out var id));
        Assert.Equal(128, id.Length);
        Assert.False(ClientIdentity.TryResolve(Context(new string('a', 129)), out _));
    }

    [Fact]
    public void TryResolve_NoHeader_ReturnsRemoteIpWithoutPort()
    {
        Assert.True(ClientIdentity.TryResolve(Context(), out var id));
        Assert.Equal("10.1.2.3", id);
    }

    [Fact]
    public void TryResolve_Ipv4MappedIpv6_ReturnsIpv4()
    {
        Assert.True(ClientIdentity.TryResolve(Context(ip: "::ffff:192.168.0.7"), out var id));
        Assert.Equal("192.168.0.7", id);
    }

    [Fact]
    public void TryResolve_TwoHeaderValues_ReturnsFalse()
    {
        var context = Context();
        context.Request.Headers[ClientIdentity.HeaderName] = new Microsoft.Extensions.Primitives.StringValues(["a", "b"]);
        Assert.False(ClientIdentity.TryResolve(context, out _));
    }

    [Fact]
    public void ResolveForHashing_InvalidHeader_FallsBackToIp() =>
        Assert.Equal("10.1.2.3", ClientIdentity.ResolveForHashing(Context("bad value")));
}
