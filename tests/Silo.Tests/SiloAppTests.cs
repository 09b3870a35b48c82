using Granary.Grains.RateLimiting;
using Granary.Runtime.Hosting;
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
        Assert.Null(app.Services.GetRequiredService<SiloHttpOptions>().AdminKey);
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
