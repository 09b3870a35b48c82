namespace Granary.Runtime;

/// <summary>
/// Base class of grain implementations. The runtime creates one instance per activation,
/// calls <see cref="OnActivateAsync"/> before the first call, runs calls one at a time
/// (turn-based, non-reentrant) and calls <see cref="OnDeactivateAsync"/> before dropping it.
/// </summary>
public abstract class Grain
{
    private IGrainContext? _context;

    /// <summary>The activation context; set by the runtime before <see cref="OnActivateAsync"/>.</summary>
    /// <exception cref="InvalidOperationException">Read before the runtime attached the grain.</exception>
    protected internal IGrainContext Context
    {
        get => _context ?? throw new InvalidOperationException("The grain is not attached to an activation yet.");
        internal set => _context = value;
    }

    /// <summary>The key of this grain (<see cref="GrainId.Key"/>).</summary>
    protected string GrainKey => Context.GrainId.Key;

    /// <summary>Runs once, as the activation's first turn. A throw fails the call that caused the activation and discards it.</summary>
    public virtual ValueTask OnActivateAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Runs once, as the activation's last turn (idle collection, shutdown, or <see cref="IGrainContext.DeactivateOnIdle"/>).</summary>
    public virtual ValueTask OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
