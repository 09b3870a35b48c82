using Granary.Runtime.Hosting;
using Granary.Runtime.Membership;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Tests.Transport;

public sealed class ClientRegistrationTests
{
    private static IHost BuildHost(Action<ClientOptions> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(TestGrainReference.Descriptor);
        builder.Services.AddGranaryClient(configure);
        return builder.Build();
    }

    [Fact]
    public async Task AddGranaryClient_ResolvesOneClientAsClusterClientAndGrainFactory()
    {
        var handler = new FakeCallHandler();
        await using var silo = await GrainPortHost.StartAsync(handler);
        using var host = BuildHost(o => o.Silos = [silo.Endpoint]);
        await host.StartAsync();

        var client = host.Services.GetRequiredService<IClusterClient>();
        var factory = host.Services.GetRequiredService<IGrainFactory>();
        var reply = await factory.GetGrain<ITestGrain>("di").EchoAsync(new EchoRequest("di", 5));

        Assert.Same(client, factory);
        Assert.IsType<StaticMembershipViewProvider>(host.Services.GetRequiredService<IMembershipViewProvider>());
        Assert.Equal(new EchoReply("di", 10), reply);
        Assert.True(client.IsConnected);
        await host.StopAsync();
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task AddGranaryClient_InvalidOptions_FailsStartNamingTheProperty()
    {
        using var host = BuildHost(o => o.CallTimeoutMs = 0);

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(nameof(ClientOptions.CallTimeoutMs), e.Message);
    }

    [Fact]
    public async Task AddGranaryClient_BadSiloEndpoint_FailsStart()
    {
        using var host = BuildHost(o => o.Silos = ["not-an-endpoint"]);

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(nameof(ClientOptions.Silos), e.Message);
    }

    [Fact]
    public void AddGranaryClient_ViewProviderRegisteredFirst_IsKept()
    {
        var services = new ServiceCollection();
        var custom = new StaticMembershipViewProvider(["10.0.0.1:11111"]);
        services.AddSingleton<IMembershipViewProvider>(custom);

        services.AddGranaryClient();

        using var provider = services.BuildServiceProvider();
        Assert.Same(custom, provider.GetRequiredService<IMembershipViewProvider>());
    }

    [Fact]
    public void StaticMembershipViewProvider_ParsesSortsAndDeduplicates()
    {
        var provider = new StaticMembershipViewProvider(["127.0.0.1:11112", "127.0.0.1:11111@5", "127.0.0.1:11112"]);

        Assert.Equal(1, provider.Current.Version);
        Assert.Equal(["127.0.0.1:11111@5", "127.0.0.1:11112@0"], provider.Current.ActiveSilos.Select(s => s.ToString()));
    }
}
