using Orleans.Runtime.Services;

namespace Granary.Silo.Dashboard;

/// <summary>Reaches the <see cref="ISiloLoadService"/> of one silo by its address.</summary>
/// <param name="services">The silo's services (Orleans's grain service client needs them).</param>
internal sealed class SiloLoadClient(IServiceProvider services) : GrainServiceClient<ISiloLoadService>(services)
{
    /// <summary>The load service of <paramref name="silo"/>.</summary>
    public ISiloLoadService For(SiloAddress silo) => GetGrainService(silo);
}
