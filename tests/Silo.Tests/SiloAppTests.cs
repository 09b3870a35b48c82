using System.Net;
using Granary.Grains.RateLimiting;
using Granary.Runtime.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Granary.Silo.Tests;

public sealed class SiloAppTests
{
    [Fact]
    public async Task Create_CommandLineKeys_BindSiloHttpAndRateLimitOptions()
    {
        await using var app = SiloApp.Create(
            ["--Granary:Silo:GrainPort=11112", "--Granary:Silo:HttpPort=9191", "--Granary:Silo:LocalCallTimeoutMs=1234",
             "--Granary:RateLimit:DefaultCapacity=20", "--Granary:RateLimit:DefaultRatePerSec=1.5"],
            builder => builder.Logging.ClearProviders());

        Assert.Equal(11112, app.Services.GetRequiredService<IOptions<SiloOptions>>().Value.GrainPort);
        Assert.Equal(1234, app.Services.GetRequiredService<IOptions<SiloOptions>>().Value.LocalCallTimeoutMs);
        Assert.Equal(9191, app.Services.GetRequiredService<SiloHttpOptions>().HttpPort);
        var defaults = app.Services.GetRequiredService<IOptions<ClientDefaultsOptions>>().Value;
        Assert.Equal(20, defaults.DefaultCapacity);
        Assert.Equal(1.5, defaults.DefaultRatePerSec);
    }

    [Fact]
    public async Task Create_NoKeys_UsesDocumentedDefaultsAndThirtySecondShutdown()
    {
        await using var app = SiloApp.Create([], builder => builder.Logging.ClearProviders());

        Assert.Equal(11111, app.Services.GetRequiredService<IOptions<SiloOptions>>().Value.GrainPort);
        Assert.Equal(9090, app.Services.GetRequiredService<SiloHttpOptions>().HttpPort);
        Assert.Equal(TimeSpan.FromSeconds(30), app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        var http = app.Services.GetRequiredService<SiloHttpOptions>();
        Assert.Null(http.AdminKey);
        Assert.Empty(http.ConfiguredKeys());
        Assert.False(http.PublicReads);
        Assert.True(http.PublicMetrics);
        Assert.Equal(10, http.AuthFailureLogsPerSecond);
    }

    [Fact]
    public async Task Create_AdminKeyAndAdminKeysList_AllConfiguredOnceEach()
    {
        await using var app = SiloApp.Create(
            ["--Granary:Silo:AdminKey=first-key-0123456789", "--Granary:Silo:AdminKeys:0=second-key-0123456789", "--Granary:Silo:AdminKeys:1=first-key-0123456789", "--Granary:Silo:AdminKeys:2="],
            builder => builder.Logging.ClearProviders());

        Assert.Equal(["first-key-0123456789", "second-key-0123456789"], app.Services.GetRequiredService<SiloHttpOptions>().ConfiguredKeys());
    }

    [Theory]
    [InlineData("--Granary:Silo:AdminKey=has space", "Granary:Silo:AdminKey ")]
    [InlineData("--Granary:Silo:AdminKeys:0=tab\tkey", "Granary:Silo:AdminKeys:0 ")]
    [InlineData("--Granary:Silo:AuthFailureLogsPerSecond=0", "AuthFailureLogsPerSecond")]
    [InlineData("--Granary:Silo:HttpHost=nowhere", "Granary:Silo:HttpHost")]
    public void Create_InvalidAuthSetting_ThrowsNamingItWithoutTheKey(string arg, string named)
    {
        var e = Assert.Throws<InvalidOperationException>(() => SiloApp.Create([arg]));

        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("has space", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_KestrelEndpointsWithoutAdminKey_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => SiloApp.Create(["--Kestrel:Endpoints:x:Url=http://127.0.0.1:0"]));

        Assert.Contains("Kestrel:Endpoints", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.0.0.0", "127.0.0.1")]
    [InlineData("10.1.2.3", "127.0.0.1")]
    [InlineData("::", "::1")]
    [InlineData("fe80::1", "::1")]
    [InlineData("::ffff:10.1.2.3", "127.0.0.1")]
    [InlineData("127.0.0.5", "127.0.0.5")]
    [InlineData("::1", "::1")]
    public void LoopbackFor_Address_IsLoopback(string configured, string expected)
    {
        var bound = SiloApp.LoopbackFor(IPAddress.Parse(configured));

        Assert.Equal(IPAddress.Parse(expected), bound);
        Assert.True(IPAddress.IsLoopback(bound));
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("*")]
    public async Task Start_NoAdminKeyAndWildcardHttpHost_BindsLoopbackOnlyAndWarns(string httpHost)
    {
        var logs = new ListLoggerProvider();
        var grainPort = SiloFixture.FreePort();
        await using var app = SiloApp.Create(
            ["--Granary:Silo:Host=127.0.0.1", $"--Granary:Silo:GrainPort={grainPort}", "--Granary:Silo:HttpPort=0", $"--Granary:Silo:HttpHost={httpHost}"],
            builder =>
            {
                builder.Logging.ClearProviders();
                builder.Logging.AddProvider(logs);
            });
        await app.StartAsync();
        try
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Select(a => new Uri(a)).ToList();
            var http = Assert.Single(addresses, u => u.Port != grainPort);
            using var client = new HttpClient { BaseAddress = http };
            using var open = await client.GetAsync("/api/overview");

            Assert.All(addresses, u => Assert.True(IPAddress.IsLoopback(IPAddress.Parse(u.Host)), $"{u} is not a loopback address"));
            Assert.Equal("127.0.0.1", http.Host);
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
            var warning = Assert.Single(logs.Entries, e => e.EventId == 51);
            Assert.Equal(LogLevel.Warning, warning.Level);
            Assert.Contains("No admin key configured", warning.Message, StringComparison.Ordinal);
            Assert.Contains("127.0.0.1", warning.Message, StringComparison.Ordinal);
            Assert.Contains("0.0.0.0", warning.Message, StringComparison.Ordinal);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Create_NoAdminKeyOnLoopback_WarnsThatTheApiIsOpenToThisMachine()
    {
        var logs = new ListLoggerProvider();
        await using var app = SiloApp.Create(["--Granary:Silo:Host=127.0.0.1"], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
        });

        var warning = Assert.Single(logs.Entries, e => e.EventId == 50);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("loopback only (127.0.0.1)", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_ShortAdminKey_WarnsWithoutTheKey()
    {
        var logs = new ListLoggerProvider();
        await using var app = SiloApp.Create(["--Granary:Silo:AdminKey=tiny-key"], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
        });

        var warning = Assert.Single(logs.Entries, e => e.EventId == 53);
        Assert.Contains("8 characters", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("tiny-key", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.EventId is 50 or 51);
    }

    [Fact]
    public void Create_HostNotAnAddress_ThrowsNamingHost()
    {
        var e = Assert.Throws<InvalidOperationException>(() => SiloApp.Create(["--Granary:Silo:Host=not an address"]));

        Assert.Contains("Granary:Silo:Host", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_HttpPortOutOfRange_ThrowsNamingHttpPort()
    {
        var e = Assert.Throws<InvalidOperationException>(() => SiloApp.Create(["--Granary:Silo:HttpPort=70000"]));

        Assert.Contains("HttpPort", e.Message, StringComparison.Ordinal);
    }
}
