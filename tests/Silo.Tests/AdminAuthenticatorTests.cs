using System.Net;
using Granary.Silo.Auth;
using Granary.Tests.Common;
using Microsoft.AspNetCore.Http;

namespace Granary.Silo.Tests;

public sealed class AdminAuthenticatorTests(SiloFixture silo) : IClassFixture<SiloFixture>
{
    private const string Key = "unit-test-admin-key-0001";

    private (AdminAuthenticator Auth, ListLoggerProvider Logs, ManualTimeProvider Time) Create(int logsPerSecond = 10, bool publicReads = false, bool publicMetrics = true)
    {
        var logs = new ListLoggerProvider();
        var time = new ManualTimeProvider();
        var options = new SiloHttpOptions { AdminKey = Key, AuthFailureLogsPerSecond = logsPerSecond, PublicReads = publicReads, PublicMetrics = publicMetrics };
        var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        return (new AdminAuthenticator(options, new AdminSessionCookie(options, time), silo.Services.GetRequiredService<SiloMetrics>(), time, factory.CreateLogger<AdminAuthenticator>()), logs, time);
    }

    private static DefaultHttpContext Request(string method, string path, string? xAdminKey = null, string? authorization = null, string? cookie = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
        context.Response.Body = new MemoryStream();
        if (xAdminKey is not null)
            context.Request.Headers["X-Admin-Key"] = xAdminKey;
        if (authorization is not null)
            context.Request.Headers.Authorization = authorization;
        if (cookie is not null)
            context.Request.Headers.Cookie = $"{AdminSessionCookie.Name}={cookie}";
        return context;
    }

    [Theory]
    [InlineData("GET", "/healthz", false)]
    [InlineData("GET", "/dashboard", false)]
    [InlineData("GET", "/dashboard/index.html", false)]
    [InlineData("GET", "/metrics", false)]
    [InlineData("POST", "/healthz", true)]
    [InlineData("GET", "/api/overview", true)]
    [InlineData("HEAD", "/clients", true)]
    [InlineData("GET", "/", true)]
    [InlineData("DELETE", "/clients/x", true)]
    [InlineData("OPTIONS", "/clients", true)]
    [InlineData("GET", "/dashboardx", true)]
    [InlineData("GET", "/orleans", true)]
    [InlineData("GET", "/orleans/index.min.js", true)]
    [InlineData("GET", "/Orleans/", true)]
    [InlineData("GET", "/orleansx", true)]
    public void RequiresKey_KeysConfigured_OnlyOpenPathsPass(string method, string path, bool expected)
    {
        var (auth, _, _) = Create();

        Assert.Equal(expected, auth.RequiresKey(Request(method, path).Request));
    }

    [Fact]
    public void RequiresKey_PublicReadsAndProtectedMetrics_GetsOpenWritesAndMetricsNot()
    {
        var (auth, _, _) = Create(publicReads: true, publicMetrics: false);

        Assert.False(auth.RequiresKey(Request("GET", "/api/overview").Request));
        Assert.False(auth.RequiresKey(Request("GET", "/clients/x").Request));
        Assert.True(auth.RequiresKey(Request("PUT", "/clients/x").Request));
        Assert.True(auth.RequiresKey(Request("GET", "/metrics").Request));
        Assert.False(auth.RequiresKey(Request("GET", "/healthz").Request));
        Assert.True(auth.RequiresKey(Request("GET", "/orleans/").Request));
        Assert.True(auth.RequiresKey(Request("GET", "/orleans/GrainState").Request));
    }

    [Fact]
    public void Check_SessionCookie_AcceptedOnOrleansOnly()
    {
        var (auth, _, time) = Create();
        var cookie = new AdminSessionCookie(new SiloHttpOptions { AdminKey = Key }, time).Issue(Key);

        Assert.Equal(AdminKeyCheck.Accepted, auth.Check(Request("GET", "/orleans/", cookie: cookie)));
        Assert.Equal(AdminKeyCheck.Missing, auth.Check(Request("GET", "/api/overview", cookie: cookie)));
        Assert.Equal(AdminKeyCheck.Missing, auth.Check(Request("POST", "/clients", cookie: cookie)));
        Assert.Equal(AdminKeyCheck.Missing, auth.Check(Request("GET", "/orleans/", cookie: cookie + "x")));
    }

    [Theory]
    [InlineData("Basic YWRtaW46dW5pdC10ZXN0LWFkbWluLWtleS0wMDAx", "unit-test-admin-key-0001")]
    [InlineData("basic OnVuaXQtdGVzdC1hZG1pbi1rZXktMDAwMQ==", "unit-test-admin-key-0001")]
    [InlineData("Basic YWRtaW46", null)]
    [InlineData("Basic bm9jb2xvbg==", null)]
    [InlineData("Basic !!!", null)]
    [InlineData("Bearer x", null)]
    public void BasicPassword_Header_PasswordOrNull(string authorization, string? expected)
    {
        Assert.Equal(expected, AdminAuthenticator.BasicPassword(Request("GET", "/", authorization: authorization).Request.Headers));
    }

    [Fact]
    public void Check_BasicPassword_CountsOnOrleansOnly()
    {
        var (auth, _, _) = Create();
        var basic = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("admin:" + Key));

        Assert.Equal(AdminKeyCheck.Accepted, auth.Check(Request("GET", "/orleans/", authorization: basic)));
        Assert.Equal(AdminKeyCheck.Missing, auth.Check(Request("GET", "/api/overview", authorization: basic)));
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("", null, null)]
    [InlineData("k1", null, "k1")]
    [InlineData(null, "Bearer k2", "k2")]
    [InlineData(null, "bearer   k2  ", "k2")]
    [InlineData(null, "Bearer ", null)]
    [InlineData(null, "Basic azE6azI=", null)]
    [InlineData("k1", "Bearer k2", "k1")]
    public void PresentedKey_Headers_XAdminKeyThenBearer(string? xAdminKey, string? authorization, string? expected)
    {
        Assert.Equal(expected, AdminAuthenticator.PresentedKey(Request("GET", "/", xAdminKey, authorization).Request.Headers));
    }

    [Fact]
    public void Check_RightKey_AcceptedAndRemembered()
    {
        var (auth, _, _) = Create();
        var context = Request("GET", "/api/overview", authorization: "Bearer " + Key);

        Assert.Equal(AdminKeyCheck.Accepted, auth.Check(context));
        Assert.Equal(Key, AdminAuthenticator.AcceptedKey(context));
    }

    [Fact]
    public void Check_NoKeysConfigured_NothingRequiredAndNoAcceptedKey()
    {
        var options = new SiloHttpOptions();
        var auth = new AdminAuthenticator(options, new AdminSessionCookie(options, TimeProvider.System), silo.Services.GetRequiredService<SiloMetrics>(), TimeProvider.System,
            LoggerFactory.Create(_ => { }).CreateLogger<AdminAuthenticator>());
        var context = Request("GET", "/orleans/");

        Assert.Equal(AdminKeyCheck.NotRequired, auth.Check(Request("DELETE", "/clients/x")));
        Assert.Equal(AdminKeyCheck.NotRequired, auth.Check(context));
        Assert.Null(AdminAuthenticator.AcceptedKey(context));
        Assert.False(auth.Enabled);
    }

    [Fact]
    public async Task RejectAsync_FloodOfWrongKeys_LogsAtMostTheBudgetPerSecondThenReportsTheRest()
    {
        var (auth, logs, time) = Create(logsPerSecond: 3);

        for (var i = 0; i < 10; i++)
        {
            var context = Request("PUT", "/clients/c" + i, xAdminKey: "bad-" + i);
            await auth.RejectAsync(context, auth.Check(context));
        }
        time.Advance(TimeSpan.FromSeconds(1));
        var last = Request("PUT", "/clients/last", xAdminKey: "bad-last");
        await auth.RejectAsync(last, auth.Check(last));

        var lines = logs.Entries.Select(e => e.Message).ToList();
        Assert.Equal(4, lines.Count);
        Assert.Contains("203.0.113.7", lines[0], StringComparison.Ordinal);
        Assert.Contains("/clients/c0", lines[0], StringComparison.Ordinal);
        Assert.Contains("/clients/last", lines[3], StringComparison.Ordinal);
        Assert.Contains("7 earlier failures not logged", lines[3], StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.Contains("bad-", StringComparison.Ordinal));
        Assert.Equal(401, last.Response.StatusCode);
        Assert.Equal("Bearer", last.Response.Headers.WWWAuthenticate.ToString());
    }

    [Theory]
    [InlineData(null, "/")]
    [InlineData("/clients/a\nb", "/clients/a?b")]
    [InlineData("/x\u001b[31m", "/x?[31m")]
    public void SafePath_ControlCharacters_Replaced(string? path, string expected)
    {
        Assert.Equal(expected, AdminAuthenticator.SafePath(path));
    }

    [Fact]
    public void SafePath_LongPath_Truncated()
    {
        Assert.Equal(AdminAuthenticator.MaxLoggedPathLength + 1, AdminAuthenticator.SafePath("/" + new string('a', 1000)).Length);
    }

    [Theory]
    [InlineData("k1", true)]
    [InlineData("k2-longer-key", true)]
    [InlineData("k1 ", false)]
    [InlineData("k", false)]
    [InlineData("", false)]
    [InlineData("K1", false)]
    public void AdminKeySet_Matches_OnlyExactKeys(string presented, bool expected)
    {
        var keys = new AdminKeySet(["k1", "", "k2-longer-key"]);

        Assert.Equal(2, keys.Count);
        Assert.Equal(expected, keys.Matches(presented));
    }
}
