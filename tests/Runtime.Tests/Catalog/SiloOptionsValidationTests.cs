using Granary.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Tests.Catalog;

public sealed class SiloOptionsValidationTests
{
    [Fact]
    public void AddGranarySilo_InvalidOptions_ValidationNamesEveryProblem()
    {
        var services = new ServiceCollection();
        services.AddGranarySilo(o =>
        {
            o.GrainPort = 0;
            o.IdleTimeoutMs = 10;
            o.LeaseDurationMs = 500;
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SiloOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains(nameof(SiloOptions.GrainPort)));
        Assert.Contains(error.Failures, f => f.Contains(nameof(SiloOptions.IdleTimeoutMs)));
        Assert.Contains(error.Failures, f => f.Contains(nameof(SiloOptions.LeaseDurationMs)));
    }

    [Fact]
    public void SiloOptions_Defaults_Valid()
    {
        var options = new SiloOptions();

        Assert.Empty(options.Validate());
        Assert.Equal(1_000, options.HeartbeatIntervalMs);
        Assert.Equal(5_000, options.LeaseDurationMs);
    }
}
