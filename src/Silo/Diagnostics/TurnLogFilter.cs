using Granary.Grains;

namespace Granary.Silo.Diagnostics;

/// <summary>
/// An Orleans incoming grain-call filter that appends every call served by a Granary grain
/// (types <see cref="GrainTypes.Client"/>, <see cref="GrainTypes.Backend"/>, <see cref="GrainTypes.Gateway"/>)
/// to the <see cref="TurnLog"/>, with this silo's address and generation and the membership version
/// it saw when the call started. Other grains (Orleans's own) are not logged.
/// </summary>
/// <param name="log">The turn log.</param>
/// <param name="silo">This silo's address.</param>
/// <param name="membership">Orleans's membership service (for the version).</param>
internal sealed class TurnLogFilter(TurnLog log, ILocalSiloDetails silo, IClusterMembershipService membership) : IIncomingGrainCallFilter
{
    private static readonly GrainType Client = GrainType.Create(GrainTypes.Client);
    private static readonly GrainType Backend = GrainType.Create(GrainTypes.Backend);
    private static readonly GrainType Gateway = GrainType.Create(GrainTypes.Gateway);

    private readonly string _silo = $"{silo.SiloAddress.Endpoint}@{silo.SiloAddress.Generation}";

    /// <inheritdoc />
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        var target = context.TargetId;
        if (!target.Type.Equals(Client) && !target.Type.Equals(Backend) && !target.Type.Equals(Gateway))
        {
            await context.Invoke();
            return;
        }
        var version = membership.CurrentSnapshot.Version.Value;
        var start = log.NowMicros();
        try
        {
            await context.Invoke();
        }
        finally
        {
            log.Append(target, _silo, version, start, log.NowMicros());
        }
    }
}
