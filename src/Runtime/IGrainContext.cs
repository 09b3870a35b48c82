namespace Granary.Runtime;

/// <summary>
/// What an activation offers its grain: identity, turn scheduling, timers and deactivation.
/// Every member may be used only from within one of the activation's turns, except
/// <see cref="Post"/>, which is safe from any thread.
/// </summary>
public interface IGrainContext
{
    /// <summary>The id of the grain this activation serves.</summary>
    GrainId GrainId { get; }

    /// <summary>The runtime's clock; grains read time only from here so tests can advance it.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>
    /// Queues <paramref name="work"/> to run as a turn of this activation, after the turns already
    /// queued. Use it to bring the result of I/O started outside a turn (a health probe, say)
    /// back into the grain without blocking its mailbox. Ignored once the activation is deactivated.
    /// </summary>
    void Post(Func<ValueTask> work);

    /// <summary>
    /// Registers a timer whose callback runs as a turn of this activation (never concurrently
    /// with a call), first after <paramref name="dueTime"/> and then every <paramref name="period"/>.
    /// The next tick is scheduled after the callback completes, so ticks never pile up.
    /// The timer dies with the activation; dispose the result to stop it earlier.
    /// </summary>
    IDisposable RegisterTimer(Func<CancellationToken, ValueTask> callback, TimeSpan dueTime, TimeSpan period);

    /// <summary>Asks the runtime to deactivate this activation after the current turn.</summary>
    void DeactivateOnIdle();
}
