using System.Text;
using Granary.Silo.Admin;

namespace Granary.Silo.Tests;

public sealed class AdminRequestReaderTests
{
    private static (bool Ok, ClientFields Fields, string? Error) Parse(string json)
    {
        var ok = AdminRequestReader.TryParseFields(Encoding.UTF8.GetBytes(json), out var fields, out var error);
        return (ok, fields, error);
    }

    [Fact]
    public void TryParseFields_AllFields_ReadsThem()
    {
        var (ok, fields, _) = Parse("{\"client_id\":\"user1@example.com\",\"capacity\":100,\"rate_per_sec\":2.5}");

        Assert.True(ok);
        Assert.Equal(new ClientFields("user1@example.com", 100, 2.5), fields);
    }

    [Theory]
    [InlineData("1e3", 1000)]
    [InlineData("100.0", 100)]
    [InlineData("1000000000", 1_000_000_000)]
    public void TryParseFields_IntegralCapacitySpellings_AreAccepted(string capacity, long expected)
    {
        var (ok, fields, _) = Parse($"{{\"capacity\":{capacity}}}");

        Assert.True(ok);
        Assert.Equal(expected, fields.Capacity);
    }

    [Fact]
    public void TryParseFields_PartialBody_LeavesMissingFieldsNull()
    {
        var (ok, fields, _) = Parse("{\"rate_per_sec\":3}");

        Assert.True(ok);
        Assert.Null(fields.ClientId);
        Assert.Null(fields.Capacity);
        Assert.Equal(3, fields.RatePerSec);
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("::1")]
    [InlineData("a_b-c.d:e@f")]
    public void IsValid_RemoteAddressesAndAllowedPunctuation_AreValid(string id) => Assert.True(AdminClientId.IsValid(id));

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("é")]
    [InlineData("a b")]
    public void IsValid_OtherCharactersOrEmpty_AreInvalid(string id) => Assert.False(AdminClientId.IsValid(id));

    [Fact]
    public void TryParseFields_TooDeep_IsMalformed()
    {
        var (ok, _, error) = Parse(new string('[', 100) + new string(']', 100));

        Assert.False(ok);
        Assert.StartsWith("Malformed JSON", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("APPLICATION/JSON")]
    [InlineData("application/merge-patch+json")]
    public void UnsupportedContentType_JsonOrAbsent_IsAccepted(string? contentType) =>
        Assert.Null(AdminRequestReader.UnsupportedContentType(contentType));

    [Theory]
    [InlineData("text/plain", "Content-Type must be application/json, got 'text/plain'")]
    [InlineData("application/x-www-form-urlencoded", "Content-Type must be application/json, got 'application/x-www-form-urlencoded'")]
    [InlineData("multipart/form-data; boundary=x", "Content-Type must be application/json, got 'multipart/form-data; boundary=x'")]
    [InlineData("text/json+x", "Content-Type must be application/json, got 'text/json+x'")]
    [InlineData("garbage", "Content-Type must be application/json, got 'garbage'")]
    public void UnsupportedContentType_NotJson_NamesTheType(string contentType, string expected) =>
        Assert.Equal(expected, AdminRequestReader.UnsupportedContentType(contentType));
}
