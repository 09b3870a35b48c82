using Granary.Runtime.Hosting;
using Granary.Runtime.Membership;
using Granary.Runtime.Tests.Catalog;
using Granary.Tests.Common;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.Runtime.Tests.Membership;

/// <summary>Several <see cref="TestSilo"/>s (no network) sharing one in-memory membership table and one manual clock.</summary>
internal sealed class TestCluster : IAsyncDisposable
{
    public ManualTimeProvider Time { get; } = new();

    public InMemoryMembershipTable Table { get; }

    public List<TestSilo> Silos { get; } = [];

    public List<FaultyMembershipTable> Links { get; } = [];

    public TestCluster() => Table = new InMemoryMembershipTable(Time);

    /// <summary>Starts a silo on grain port 11111 + index, generation 1, seeing the table through its own <see cref="FaultyMembershipTable"/>.</summary>
    public async Task<TestSilo> AddSiloAsync(Action<SiloOptions>? configure = null)
    {
        var link = new FaultyMembershipTable(Table);
        var port = 11111 + Silos.Count;
        var silo = await TestSilo.StartAsync(services =>
        {
            services.AddSingleton<TimeProvider>(Time);
            services.AddSingleton<IMembershipTable>(link);
            services.Configure<SiloOptions>(o =>
            {
                o.GrainPort = port;
                configure?.Invoke(o);
            });
        });
        Silos.Add(silo);
        Links.Add(link);
        return silo;
    }

    /// <summary>Moves the clock in 100 ms steps (timers fire in order), letting background re-reads run between steps.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        var step = TimeSpan.FromMilliseconds(100);
        for (var elapsed = TimeSpan.Zero; elapsed < by; elapsed += step)
        {
            Time.Advance(step);
            await Task.Delay(1);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Silos)
            await silo.DisposeAsync();
    }
}

internal static class TestSiloMembership
{
    public static MembershipService Membership(this TestSilo silo) => silo.Services.GetRequiredService<MembershipService>();

    public static SiloAddress Self(this TestSilo silo) => silo.Membership().Self;

    public static MembershipView View(this TestSilo silo) => silo.Services.GetRequiredService<IMembershipViewProvider>().Current;
}
