using Granary.Runtime.Messaging;

namespace Granary.Runtime.Catalog;

/// <summary>One entry of an activation's mailbox: a call, a timer tick, posted work, or the activation's first or last turn.</summary>
internal abstract class TurnItem
{
    /// <summary>Runs the turn. Implementations catch their own exceptions; the mailbox awaits the result before the next turn.</summary>
    public abstract ValueTask RunAsync(ActivationData activation);

    /// <summary>Called instead of <see cref="RunAsync"/> when the turn will never run (the activation failed); calls complete with <paramref name="error"/>.</summary>
    public virtual void Abandon(CallError error)
    {
    }
}

/// <summary>The activation's first turn: create the grain and run <see cref="Grain.OnActivateAsync"/>.</summary>
internal sealed class ActivateTurn : TurnItem
{
    public static readonly ActivateTurn Instance = new();

    public override ValueTask RunAsync(ActivationData activation) => activation.ActivateAsync();
}

/// <summary>The activation's last turn: stop timers, run <see cref="Grain.OnDeactivateAsync"/>, leave the catalog.</summary>
internal sealed class DeactivateTurn : TurnItem
{
    public static readonly DeactivateTurn Instance = new();

    public override ValueTask RunAsync(ActivationData activation) => activation.DeactivateAsync();
}

/// <summary>Work queued by <see cref="IGrainContext.Post"/>.</summary>
internal sealed class PostedTurn(Func<ValueTask> work) : TurnItem
{
    public override ValueTask RunAsync(ActivationData activation) => activation.RunPostedAsync(work);
}

/// <summary>When a turn started and under which view, for the turn log (default when the log is off).</summary>
/// <param name="StartMicros">Wall clock at the start, microseconds since the Unix epoch.</param>
/// <param name="ViewVersion">The silo's membership view version at the start.</param>
internal readonly record struct TurnStamp(long StartMicros, long ViewVersion);
