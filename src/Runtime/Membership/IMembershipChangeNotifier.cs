namespace Granary.Runtime.Membership;

/// <summary>
/// Optional companion of an <see cref="IMembershipTable"/>: tells readers that the table may have
/// changed, so they re-read it at once instead of at their next poll. PostgreSQL implements it with
/// LISTEN/NOTIFY (channel <c>granary_membership</c>, payload the cluster id); the in-memory table
/// raises it after every successful insert or status update.
/// </summary>
/// <remarks>
/// Notifications are a hint, not a log: they can be lost (a listening connection that drops and
/// reconnects misses whatever was sent meanwhile; the provider then raises <see cref="Changed"/> once
/// after reconnecting) and can be spurious. Readers must therefore still poll the table, and must
/// re-read all of it on every notification. Heartbeats (lease renewals) raise nothing.
/// </remarks>
public interface IMembershipChangeNotifier
{
    /// <summary>
    /// Raised after a membership change may have happened. Handlers run on the notifier's thread:
    /// they must be quick (schedule the re-read, do not perform it inline) and must not throw.
    /// Subscribing may start the listening (PostgreSQL: a dedicated connection).
    /// </summary>
    event Action? Changed;
}
