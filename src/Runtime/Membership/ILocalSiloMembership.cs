namespace Granary.Runtime.Membership;

/// <summary>
/// This silo's own standing in the cluster, as the catalog needs it to decide whether it may serve
/// a grain: its current incarnation, whether it holds a valid lease (not fenced), and a way to ask
/// for an early re-read of the membership table.
/// </summary>
internal interface ILocalSiloMembership : IMembershipViewRefresher
{
    /// <summary>This silo's current incarnation (a new generation after a rejoin).</summary>
    SiloAddress Self { get; }

    /// <summary>
    /// True while this incarnation is Active (or leaving gracefully: ShuttingDown) and renewed its lease
    /// less than half a lease ago (local monotonic clock). False before joining, while fenced, once
    /// declared Dead, and once stopped. A silo that is shutting down is no longer in its own view, so
    /// the catalog redirects calls to the new owners rather than serving them.
    /// </summary>
    bool CanServe { get; }

    /// <summary>Raised once when this incarnation learns it was declared Dead: every activation must go.</summary>
    event Action? OwnershipRevoked;
}
