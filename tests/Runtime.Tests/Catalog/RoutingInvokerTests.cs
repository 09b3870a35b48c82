using Granary.Runtime.Hosting;
using Granary.Runtime.Membership;
using Granary.Runtime.Placement;
using Granary.Runtime.Tests.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using GrainCatalog = Granary.Runtime.Catalog.Catalog;

namespace Granary.Runtime.Tests.Catalog;

/// <summary>Two silos in one process, real Kestrel grain ports on free ports, one shared in-memory membership table.</summary>
public sealed class RoutingInvokerTests
{
    [Fact]
    public async Task Invoke_GrainOwnedByOtherSilo_ServedByOwnerOverTheNetwork()
    {
        var table = new InMemoryMembershipTable(TimeProvider.System);
        await using var a = await StartSiloAsync(table);
        await using var b = await StartSiloAsync(table);
        var silos = new[] { a.Self, b.Self };
        await TestSilo.EventuallyAsync(() => a.View.ActiveSilos.Length == 2 && b.View.ActiveSilos.Length == 2, "both silos see both");
        var onB = Enumerable.Range(0, 1000).Select(i => $"k{i}").First(k => RendezvousPlacement.SelectOwner(new GrainId(TestGrainDescriptor.GrainType, k), silos) == b.Self);
        var onA = Enumerable.Range(0, 1000).Select(i => $"k{i}").First(k => RendezvousPlacement.SelectOwner(new GrainId(TestGrainDescriptor.GrainType, k), silos) == a.Self);

        var remote = await a.Factory.GetGrain<ITestGrain>(onB).EchoAsync(new IntValue(41));
        var local = await a.Factory.GetGrain<ITestGrain>(onA).EchoAsync(new IntValue(42));

        Assert.Equal(41, remote.Value);
        Assert.Equal(42, local.Value);
        Assert.NotNull(b.Catalog.FindActivation(new GrainId(TestGrainDescriptor.GrainType, onB)));
        Assert.Null(a.Catalog.FindActivation(new GrainId(TestGrainDescriptor.GrainType, onB)));
        Assert.NotNull(a.Catalog.FindActivation(new GrainId(TestGrainDescriptor.GrainType, onA)));
        Assert.Equal(1, b.Probe.Activations);
        Assert.Equal(1, a.Probe.Activations);
    }

    private static async Task<Silo> StartSiloAsync(InMemoryMembershipTable table)
    {
        var port = GrainPortHost.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TestProbe>();
        builder.Services.AddSingleton<IMembershipTable>(table);
        var options = new SiloOptions { Host = "127.0.0.1", GrainPort = port, Generation = 1 };
        builder.Services.AddGranarySilo(o =>
        {
            o.Host = options.Host;
            o.GrainPort = options.GrainPort;
            o.Generation = options.Generation;
        });
        builder.Services.AddGrain<TestGrain>(TestGrainDescriptor.Descriptor);
        builder.WebHost.ConfigureKestrel(k => k.ListenGrainPort(options));
        var app = builder.Build();
        await app.StartAsync();
        return new Silo(app);
    }

    private sealed class Silo(WebApplication app) : IAsyncDisposable
    {
        public SiloAddress Self => app.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

        public MembershipView View => app.Services.GetRequiredService<IMembershipViewProvider>().Current;

        public IGrainFactory Factory => app.Services.GetRequiredService<IGrainFactory>();

        public GrainCatalog Catalog => app.Services.GetRequiredService<GrainCatalog>();

        public TestProbe Probe => app.Services.GetRequiredService<TestProbe>();

        public async ValueTask DisposeAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await app.StopAsync(timeout.Token);
            await app.DisposeAsync();
        }
    }
}
