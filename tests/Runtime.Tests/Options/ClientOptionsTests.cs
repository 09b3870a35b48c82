using Granary.Runtime.Hosting;
using Microsoft.Extensions.Configuration;

namespace Granary.Runtime.Tests.Options;

public sealed class ClientOptionsTests
{
    [Fact]
    public void ResolvedSilos_NothingConfigured_IsTheLocalProfileSilo()
    {
        Assert.Equal([ClientOptions.DefaultSilo], new ClientOptions().ResolvedSilos);
    }

    [Fact]
    public void Bind_ConfiguredSilos_ReplaceTheDefaultInsteadOfAddingToIt()
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Granary:Client:Silos:0"] = "127.0.0.1:22222" })
            .Build();
        var options = new ClientOptions();
        config.GetSection("Granary:Client").Bind(options);
        Assert.Equal(["127.0.0.1:22222"], options.ResolvedSilos);
    }
}
