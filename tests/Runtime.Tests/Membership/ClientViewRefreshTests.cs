using Granary.Runtime.Hosting;
using Granary.Runtime.Invocation;
using Granary.Runtime.Membership;
using Granary.Runtime.Messaging;
using Granary.Runtime.Tests.Transport;
using Granary.Runtime.Transport;

namespace Granary.Runtime.Tests.Membership;

/// <summary>The grain client asks a table-backed view provider for an early re-read when a silo shows its view is stale.</summary>
public sealed class ClientViewRefreshTests
{
    [Fact]
    public async Task InvokeAsync_WrongSilo_AsksProviderToRefresh()
    {
        var handler = new FakeCallHandler { Override = _ => CallOutcome.Redirect(null) };
        await using var host = await GrainPortHost.StartAsync(handler);
        var views = new RefreshCountingProvider(new MembershipView(7, [SiloAddress.Parse(host.Endpoint)]));
        await using var client = new ClusterClient(new GrainInterfaceRegistry([TestGrainReference.Descriptor]), views, new ClientOptions { CallTimeoutMs = 5000 });

        await Assert.ThrowsAsync<GrainCallException>(async () => await client.GetGrain<ITestGrain>("k").EchoAsync(new EchoRequest("r", 1)));

        Assert.Equal(3, views.Refreshes);
    }

    [Fact]
    public async Task InvokeAsync_SiloKnowsNewerView_AsksProviderToRefresh()
    {
        var handler = new FakeCallHandler { ViewVersion = 9 };
        await using var host = await GrainPortHost.StartAsync(handler);
        var views = new RefreshCountingProvider(new MembershipView(7, [SiloAddress.Parse(host.Endpoint)]));
        await using var client = new ClusterClient(new GrainInterfaceRegistry([TestGrainReference.Descriptor]), views, new ClientOptions { CallTimeoutMs = 5000 });

        await client.GetGrain<ITestGrain>("k").EchoAsync(new EchoRequest("r", 1));

        Assert.Equal(1, views.Refreshes);
    }

    private sealed class RefreshCountingProvider(MembershipView view) : IMembershipViewProvider, IMembershipViewRefresher
    {
        private int _refreshes;

        public int Refreshes => Volatile.Read(ref _refreshes);

        public MembershipView Current { get; } = view;

        public event Action<MembershipView>? ViewChanged
        {
            add { }
            remove { }
        }

        public void RequestRefresh() => Interlocked.Increment(ref _refreshes);
    }
}
