using Orleans.Services;

namespace Granary.Silo.Dashboard;

/// <summary>
/// A per-silo Orleans grain service (<see cref="SiloLoadService"/>) that tells how many calls Granary's
/// grains on that silo have served, so any silo can show every silo's call rate
/// (<see cref="SiloLoadClient"/> addresses one silo by its address).
/// </summary>
[Alias("granary.ISiloLoadService")]
internal interface ISiloLoadService : IGrainService
{
    /// <summary>The silo's running total of served grain calls and its clock when read.</summary>
    [Alias("GetLoad")]
    ValueTask<SiloLoad> GetLoadAsync();
}
