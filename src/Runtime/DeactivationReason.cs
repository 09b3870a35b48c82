namespace Granary.Runtime;

/// <summary>Why an activation is being deactivated.</summary>
public enum DeactivationReason
{
    /// <summary>No call arrived for longer than the idle timeout (Orleans: activation collection).</summary>
    IdleTimeout,

    /// <summary>The grain asked for it with <see cref="IGrainContext.DeactivateOnIdle"/>.</summary>
    ApplicationRequested,

    /// <summary>The silo is shutting down.</summary>
    ShuttingDown,

    /// <summary>The silo no longer owns the grain in the current membership view.</summary>
    OwnershipLost,

    /// <summary>The activation broke (activation failed, storage etag conflict).</summary>
    Faulted,
}
