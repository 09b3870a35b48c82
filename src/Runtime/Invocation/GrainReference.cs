namespace Granary.Runtime.Invocation;

/// <summary>
/// Base of the hand-written typed references: holds the grain id and the invoker that carries calls.
/// </summary>
/// <param name="grainId">The grain this reference addresses.</param>
/// <param name="invoker">Carries the calls (network on gateways, local inside a silo).</param>
public abstract class GrainReference(GrainId grainId, IGrainCallInvoker invoker)
{
    /// <summary>The grain this reference addresses.</summary>
    public GrainId GrainId { get; } = grainId;

    /// <summary>Carries the calls.</summary>
    protected IGrainCallInvoker Invoker { get; } = invoker;

    /// <summary>Renders as the grain id.</summary>
    public override string ToString() => GrainId.ToString();
}
