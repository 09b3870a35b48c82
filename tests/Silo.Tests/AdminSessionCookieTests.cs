using Granary.Silo.Auth;
using Granary.Tests.Common;

namespace Granary.Silo.Tests;

public sealed class AdminSessionCookieTests
{
    private const string Key = "cookie-test-admin-key-01";

    private static (AdminSessionCookie Cookie, ManualTimeProvider Time) Create(params string[] keys)
    {
        var time = new ManualTimeProvider();
        var options = new SiloHttpOptions { AdminKey = keys.Length > 0 ? keys[0] : null, AdminKeys = [.. keys.Skip(1)] };
        return (new AdminSessionCookie(options, time), time);
    }

    [Fact]
    public void IsValid_IssuedNow_AcceptedUntilTwelveHoursThenRefused()
    {
        var (cookie, time) = Create(Key);
        var value = cookie.Issue(Key);

        Assert.True(cookie.IsValid(value));
        time.Advance(AdminSessionCookie.Lifetime - TimeSpan.FromSeconds(1));
        Assert.True(cookie.IsValid(value));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(cookie.IsValid(value));
    }

    [Fact]
    public void IsValid_AnotherSiloWithTheSameKey_Accepts()
    {
        var (a, _) = Create(Key);
        var (b, _) = Create("other-key-0123456789", Key);

        Assert.True(b.IsValid(a.Issue(Key)));
    }

    [Fact]
    public void IsValid_KeyNoLongerConfigured_Refused()
    {
        var (old, _) = Create(Key);
        var (rotated, _) = Create("new-key-after-rotation-0");

        Assert.False(rotated.IsValid(old.Issue(Key)));
    }

    [Fact]
    public void Issue_Value_DoesNotContainTheKey()
    {
        var (cookie, _) = Create(Key);

        var value = cookie.Issue(Key);

        Assert.Matches(@"^v1\.\d+\.[A-Za-z0-9_-]{43}$", value);
        Assert.DoesNotContain(Key, value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v1")]
    [InlineData("v2.1.AAAA")]
    [InlineData("v1.-5.AAAA")]
    [InlineData("v1.abc.AAAA")]
    [InlineData("v1.99999999999.!!!!")]
    public void IsValid_Malformed_Refused(string? value)
    {
        var (cookie, _) = Create(Key);

        Assert.False(cookie.IsValid(value));
    }

    [Fact]
    public void IsValid_NoKeysConfigured_RefusesEverything()
    {
        var (withKey, _) = Create(Key);
        var (none, _) = Create();

        Assert.False(none.IsValid(withKey.Issue(Key)));
    }
}
