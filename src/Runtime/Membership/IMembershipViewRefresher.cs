namespace Granary.Runtime.Membership;

/// <summary>
/// Optional companion of an <see cref="IMembershipViewProvider"/> whose view comes from the membership
/// table: lets a caller that learned its view is stale (a WrongSilo answer, or a silo stamping a
/// newer view version on its answer) ask for an early re-read instead of waiting for the next poll.
/// </summary>
public interface IMembershipViewRefresher
{
    /// <summary>Asks for a re-read soon; coalesced with one already running. Never blocks, never throws.</summary>
    void RequestRefresh();
}
