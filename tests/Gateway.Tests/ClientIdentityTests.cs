using System.Net;
using Granary.Gateway.RateLimiting;
using Granary.Grains.Contracts;
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

    [Theory]
    [InlineData("   ", 128, ClientIdProblem.Empty)]
    [InlineData("", 128, ClientIdProblem.Empty)]
    [InlineData("abcdefghijk", 10, ClientIdProblem.TooLong)]
    [InlineData("a b", 128, ClientIdProblem.InvalidCharacter)]
    [InlineData("a,b", 128, ClientIdProblem.InvalidCharacter)]
    public void TryResolve_WithMaxLength_NamesTheProblem(string header, int maxLength, ClientIdProblem expected)
    {
        Assert.False(ClientIdentity.TryResolve(Context(header), maxLength, out _, out var problem));
        Assert.Equal(expected, problem);
    }

    [Fact]
    public void TryResolve_TwoHeaderValues_ProblemRepeated()
    {
        var context = Context();
        context.Request.Headers[ClientIdentity.HeaderName] = new Microsoft.Extensions.Primitives.StringValues(["a", "b"]);
        Assert.False(ClientIdentity.TryResolve(context, 128, out _, out var problem));
        Assert.Equal(ClientIdProblem.Repeated, problem);
    }

    [Fact]
    public void InvalidMessage_TooLong_NamesTheConfiguredLength() =>
        Assert.Equal("Invalid X-Client-ID: it is longer than 32 characters; expected 1-32 characters from [A-Za-z0-9._:@-]",
            ClientIdentity.InvalidMessage(ClientIdProblem.TooLong, 32));

    [Fact]
    public void SharedRules_SameAnswerAsGateway_ForEveryProbe()
    {
        foreach (var id in new[] { "user1", "a b", "", new string('x', 128), new string('x', 129), "::1", "é" })
            Assert.Equal(ClientIdRules.IsValid(id), ClientIdentity.TryValidate(id, out _) && id.Trim().Length == id.Length);
    }
}
