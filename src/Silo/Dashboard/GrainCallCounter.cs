using Granary.Grains;

namespace Granary.Silo.Dashboard;

/// <summary>
/// An Orleans incoming grain-call filter that counts the calls served on this silo by Granary's grains
/// (types <see cref="GrainTypes.Client"/>, <see cref="GrainTypes.Backend"/>, <see cref="GrainTypes.Gateway"/>;
/// Orleans's own grains are not counted): one interlocked increment per call, read by
/// <see cref="SiloLoadService"/> for the dashboard's calls/s.
/// </summary>
internal sealed class GrainCallCounter : IIncomingGrainCallFilter
{
    private static readonly GrainType Client = GrainType.Create(GrainTypes.Client);
    private static readonly GrainType Backend = GrainType.Create(GrainTypes.Backend);
    private static readonly GrainType Gateway = GrainType.Create(GrainTypes.Gateway);

    private long _calls;

    /// <summary>Calls served by Granary's grains on this silo since it started.</summary>
    public long Total => Volatile.Read(ref _calls);

    /// <inheritdoc />
    public Task Invoke(IIncomingGrainCallContext context)
    {
        var type = context.TargetId.Type;
        if (type.Equals(Client) || type.Equals(Backend) || type.Equals(Gateway))
            Interlocked.Increment(ref _calls);
        return context.Invoke();
    }
}
