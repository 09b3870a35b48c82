using Granary.Silo.Http;

namespace Granary.Silo.Dashboard;

/// <summary>
/// What the dashboard reads from Orleans about the whole cluster, through Orleans's management grain
/// (<see cref="IManagementGrain"/>, a stateless worker on this silo that asks each silo's control target):
/// the membership table, and per silo its runtime statistics, its activation counts by grain class and
/// its activations of one grain class; and per silo its Granary grain-call total (<see cref="ISiloLoadService"/>). Every call asks one silo at most, so a slow or dead silo fails
/// only its own part, and is awaited at most <see cref="GrainDeadline.Timeout"/>.
/// </summary>
/// <param name="grains">Orleans's grain factory.</param>
/// <param name="load">The per-silo load service client.</param>
/// <param name="deadline">The dashboard's read deadline.</param>
/// <param name="local">This silo.</param>
/// <param name="membership">This silo's membership view.</param>
internal sealed class ClusterReader(IGrainFactory grains, SiloLoadClient load, GrainDeadline deadline, ILocalSiloDetails local, IClusterMembershipService membership)
{
    private IManagementGrain Management => grains.GetGrain<IManagementGrain>(0);

    /// <summary>Every row of the membership table, Dead ones included (refreshed from the table first).</summary>
    public async Task<IReadOnlyList<MembershipEntry>> HostsAsync(CancellationToken cancellationToken) =>
        await deadline.Run(Management.GetDetailedHosts(onlyActive: false), cancellationToken).ConfigureAwait(false);

    /// <summary>The runtime statistics of <paramref name="silo"/> (activations, CPU, memory, messages).</summary>
    public async Task<SiloRuntimeStatistics> StatisticsAsync(SiloAddress silo, CancellationToken cancellationToken)
    {
        var answer = await deadline.Run(Management.GetRuntimeStatistics([silo]), cancellationToken).ConfigureAwait(false);
        return answer.Single();
    }

    /// <summary>The running total of calls served by Granary's grains on <paramref name="silo"/>.</summary>
    public Task<SiloLoad> LoadAsync(SiloAddress silo, CancellationToken cancellationToken) =>
        deadline.Run(load.For(silo).GetLoadAsync(), cancellationToken);

    /// <summary>The activation counts of <paramref name="silo"/> by grain class (<see cref="GrainClasses"/> names).</summary>
    public async Task<IReadOnlyList<SimpleGrainStatistic>> GrainCountsAsync(SiloAddress silo, CancellationToken cancellationToken) =>
        await deadline.Run(Management.GetSimpleGrainStatistics([silo]), cancellationToken).ConfigureAwait(false);

    /// <summary>The activations on <paramref name="silo"/> of the grain class <paramref name="grainClass"/> (a <see cref="GrainClasses"/> name).</summary>
    public async Task<IReadOnlyList<GrainId>> ActivationsAsync(SiloAddress silo, string grainClass, CancellationToken cancellationToken)
    {
        var answer = await deadline.Run(Management.GetDetailedGrainStatistics([grainClass], [silo]), cancellationToken).ConfigureAwait(false);
        return answer.Select(static s => s.GrainId).ToList();
    }

    /// <summary>
    /// The activations of <paramref name="grainClass"/> on every silo of this silo's membership view that is not Dead
    /// (no table read): this silo first, then the others by address, each asked on its own. A silo that fails or
    /// misses the deadline is listed with no ids and its <see cref="SiloActivations.Error"/>.
    /// </summary>
    public async Task<SiloActivations[]> ActivationsEverywhereAsync(string grainClass, CancellationToken cancellationToken)
    {
        var self = local.SiloAddress;
        var silos = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status != SiloStatus.Dead && !m.SiloAddress.Equals(self))
            .Select(static m => m.SiloAddress)
            .OrderBy(static a => a.Endpoint.ToString(), StringComparer.Ordinal)
            .Prepend(self);
        return await Task.WhenAll(silos.Select(async silo =>
        {
            try
            {
                return new SiloActivations(silo, await ActivationsAsync(silo, grainClass, cancellationToken).ConfigureAwait(false), null);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException && !cancellationToken.IsCancellationRequested)
            {
                return new SiloActivations(silo, [], GrainDeadline.Describe(e));
            }
        })).ConfigureAwait(false);
    }

    /// <summary>The silo where <paramref name="grain"/> is active by the grain directory, or null when it is not active. Never activates it.</summary>
    public async Task<SiloAddress?> LocateAsync(IAddressable grain, CancellationToken cancellationToken) =>
        await deadline.Run(Management.GetActivationAddress(grain), cancellationToken).ConfigureAwait(false);
}
