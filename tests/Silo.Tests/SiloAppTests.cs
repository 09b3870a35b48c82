using System.Net;
using Granary.Grains.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace Granary.Silo.Tests;

public sealed class SiloAppTests
{
    private static WebApplication Create(params string[] args) => SiloApp.Create(args, builder => builder.Logging.ClearProviders());

    [Fact]
    public async Task Create_CommandLineKeys_BindOrleansHttpAndRateLimitOptions()
    {
        await using var app = Create(
            "--Granary:Silo:SiloPort=11112", "--Granary:Silo:GatewayPort=30002", "--Granary:Silo:HttpPort=9191", "--Granary:ClusterId=blue",
            "--Granary:Silo:WriteBehindIntervalMs=250", "--Granary:Silo:Membership:ProbeTimeout=00:00:03", "--Granary:Silo:Membership:NumVotesForDeathDeclaration=1",
            "--Granary:RateLimit:DefaultCapacity=20", "--Granary:RateLimit:DefaultRatePerSec=1.5");

        var endpoints = app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        Assert.Equal(11112, endpoints.SiloPort);
        Assert.Equal(30002, endpoints.GatewayPort);
        Assert.Equal(IPAddress.Loopback, endpoints.AdvertisedIPAddress);
        var cluster = app.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;
        Assert.Equal("blue", cluster.ClusterId);
        Assert.Equal("granary", cluster.ServiceId);
        var membership = app.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(3), membership.ProbeTimeout);
        Assert.Equal(1, membership.NumVotesForDeathDeclaration);
        Assert.Equal(250, app.Services.GetRequiredService<IOptions<BucketPersistenceOptions>>().Value.WriteBehindIntervalMs);
        Assert.Equal(9191, app.Services.GetRequiredService<SiloHttpOptions>().HttpPort);
        var defaults = app.Services.GetRequiredService<IOptions<ClientDefaultsOptions>>().Value;
        Assert.Equal(20, defaults.DefaultCapacity);
        Assert.Equal(1.5, defaults.DefaultRatePerSec);
    }

    [Fact]
    public async Task Create_NoKeys_UsesDocumentedDefaultsAndThirtySecondShutdown()
    {
        await using var app = Create();

        var endpoints = app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        Assert.Equal(11111, endpoints.SiloPort);
        Assert.Equal(30000, endpoints.GatewayPort);
        Assert.Equal(IPAddress.Loopback, endpoints.AdvertisedIPAddress);
        Assert.Null(endpoints.SiloListeningEndpoint);
        var cluster = app.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;
        Assert.Equal(("granary", "granary"), (cluster.ClusterId, cluster.ServiceId));
        var membership = app.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        Assert.Equal(SiloMembership.DefaultProbeTimeout, membership.ProbeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), membership.ProbeTimeout);
        Assert.Equal(3, membership.NumMissedProbesLimit);
        Assert.False(membership.EnableConnectionLivenessCheck);
        Assert.Equal(TimeSpan.FromSeconds(2), membership.TableRefreshTimeout);
        Assert.Equal(1000, app.Services.GetRequiredService<IOptions<BucketPersistenceOptions>>().Value.WriteBehindIntervalMs);
        Assert.True(app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value.HideTrace);
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
        await using var app = Create("--Granary:Silo:AdminKey=first-key-0123456789", "--Granary:Silo:AdminKeys:0=second-key-0123456789",
            "--Granary:Silo:AdminKeys:1=first-key-0123456789", "--Granary:Silo:AdminKeys:2=");

        Assert.Equal(["first-key-0123456789", "second-key-0123456789"], app.Services.GetRequiredService<SiloHttpOptions>().ConfiguredKeys());
    }

    [Theory]
    [InlineData("--Granary:Silo:AdminKey=has space", "Granary:Silo:AdminKey ")]
    [InlineData("--Granary:Silo:AdminKeys:0=tab\tkey", "Granary:Silo:AdminKeys:0 ")]
    [InlineData("--Granary:Silo:AuthFailureLogsPerSecond=0", "AuthFailureLogsPerSecond")]
    [InlineData("--Granary:Silo:HttpHost=nowhere", "Granary:Silo:HttpHost")]
    public void Create_InvalidAuthSetting_ThrowsNamingItWithoutTheKey(string arg, string named)
    {
        var e = Assert.Throws<SiloConfigurationException>(() => SiloApp.Create([arg]));

        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("has space", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Granary:Silo:SiloPort=0", "Granary:Silo:SiloPort must be 1–65535")]
    [InlineData("--Granary:Silo:GatewayPort=70000", "Granary:Silo:GatewayPort must be 1–65535")]
    [InlineData("--Granary:Silo:GatewayPort=11111", "Granary:Silo:SiloPort and Granary:Silo:GatewayPort must differ")]
    [InlineData("--Granary:Silo:HttpPort=30000", "Granary:Silo:HttpPort (30000) must differ")]
    [InlineData("--Granary:Silo:AdvertisedHost=silo1", "Granary:Silo:AdvertisedHost needs a wildcard Granary:Silo:Host")]
    [InlineData("--Granary:Silo:Membership:NumMissedProbesLimit=0", "Granary:Silo:Membership:NumMissedProbesLimit must be at least 1")]
    [InlineData("--Granary:Silo:Membership:ProbeTimeout=00:00:00", "Granary:Silo:Membership:ProbeTimeout must be positive")]
    public void Create_InvalidOrleansSetting_ThrowsNamingTheKey(string arg, string expected)
    {
        var e = Assert.Throws<SiloConfigurationException>(() => SiloApp.Create([arg]));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("0.0.0.0")]
    [InlineData("*")]
    public void Create_NonLoopbackHostWithoutTls_ThrowsNamingHostAndTls(string host)
    {
        var e = Assert.Throws<SiloConfigurationException>(() => SiloApp.Create(["--Granary:Silo:Host=" + host]));

        Assert.Contains("Granary:Silo:Host", e.Message, StringComparison.Ordinal);
        Assert.Contains("Granary:Tls:CertificatePath", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_TlsCertificateMissing_ThrowsNamingTheFile()
    {
        var e = Assert.Throws<SiloConfigurationException>(() => SiloApp.Create(
            ["--Granary:Tls:CertificatePath=/nonexistent/silo.pem", "--Granary:Tls:KeyPath=/nonexistent/silo.key", "--Granary:Tls:CaPath=/nonexistent/ca.pem"]));

        Assert.Contains("/nonexistent/silo.pem", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_KestrelEndpointsWithoutAdminKey_Throws()
    {
        var e = Assert.Throws<SiloConfigurationException>(() => SiloApp.Create(["--Kestrel:Endpoints:x:Url=http://127.0.0.1:0"]));

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
        await using var app = SiloApp.Create(
            ["--Granary:Silo:Host=127.0.0.1", $"--Granary:Silo:SiloPort={SiloFixture.FreePort()}", $"--Granary:Silo:GatewayPort={SiloFixture.FreePort()}",
             "--Granary:Silo:HttpPort=0", $"--Granary:Silo:HttpHost={httpHost}"],
            builder =>
            {
                builder.Logging.ClearProviders();
                builder.Logging.AddProvider(logs);
            });
        await app.StartAsync();
        try
        {
            var http = SiloFixture.HttpAddress(app);
            using var client = new HttpClient { BaseAddress = http };
            using var open = await client.GetAsync("/api/overview");

            Assert.True(IPAddress.IsLoopback(IPAddress.Parse(http.Host)), $"{http} is not a loopback address");
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
    public async Task Create_KeysOfTheOldRuntime_WarnedAboutNamingTheReplacement()
    {
        var logs = new ListLoggerProvider();
        await using var app = SiloApp.Create(["--Granary:Silo:GrainPort=11112", "--Granary:Silo:ShutdownDrainMs=500"], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
        });

        var warnings = logs.Entries.Where(e => e.EventId == 54).Select(e => e.Message).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, m => m.Contains("Granary:Silo:GrainPort", StringComparison.Ordinal) && m.Contains("SiloPort", StringComparison.Ordinal));
        Assert.Contains(warnings, m => m.Contains("Granary:Silo:ShutdownDrainMs", StringComparison.Ordinal));
    }

    [Fact]
    public void Create_HostNotAnAddress_ThrowsNamingHost()
    {
        var e = Assert.Throws<SiloConfigurationException>(() => SiloApp.Create(["--Granary:Silo:Host=not an address"]));

        Assert.Contains("Granary:Silo:Host", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_UnknownGrainDirectory_ThrowsNamingKeyAndValues()
    {
        var e = Assert.Throws<SiloConfigurationException>(() => SiloApp.Create(["--Granary:Silo:GrainDirectory=Redis"]));

        Assert.Contains("Granary:Silo:GrainDirectory must be 'Distributed' or 'Local', got 'Redis'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_HttpPortOutOfRange_ThrowsNamingHttpPort()
    {
        var e = Assert.Throws<SiloConfigurationException>(() => SiloApp.Create(["--Granary:Silo:HttpPort=70000"]));

        Assert.Contains("HttpPort", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeDatabase_ConnectionString_NamesHostPortDatabaseAndUserButNotThePassword()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Granary:PostgreSql:ConnectionString"] = "Host=postgres;Port=5432;Username=granary;Password=s3cret;Database=granary",
        }).Build();

        var described = SiloApp.DescribeDatabase(configuration);

        Assert.Equal("postgres:5432/granary as granary", described);
        Assert.DoesNotContain("s3cret", described, StringComparison.Ordinal);
        Assert.Equal("(no connection string)", SiloApp.DescribeDatabase(new ConfigurationBuilder().Build()));
    }

    [Fact]
    public void DatabaseFailure_NpgsqlErrorInsideStartFailure_IsFound_OtherErrorsAreNot()
    {
        var database = new Npgsql.NpgsqlException("Failed to connect to 10.0.0.1:5432");
        var wrapped = new InvalidOperationException("start failed", new AggregateException(new TimeoutException(), database));

        Assert.Same(database, SiloApp.DatabaseFailure(wrapped));
        Assert.Null(SiloApp.DatabaseFailure(new InvalidOperationException("other", new TimeoutException())));
    }
}
