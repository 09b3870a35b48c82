namespace Granary.Runtime.Membership;

/// <summary>
/// The membership table: the single arbiter of which silo incarnations exist and which are
/// Active (Orleans: <c>IMembershipTable</c>). One row per silo incarnation
/// (<see cref="MembershipEntry"/>) and one table version that every membership change
/// advances, so that changes are serialized by compare-and-swap on the version.
/// </summary>
/// <remarks>
/// <para><b>Atomicity.</b> <see cref="ReadAllAsync"/> returns rows and version from one consistent
/// instant. <see cref="InsertAsync(SiloAddress, SiloStatus, TimeSpan, long, CancellationToken)"/> and <see cref="UpdateAsync"/> each check the version, change
/// one row and set the version to <c>expectedVersion + 1</c> as one atomic step (one transaction
/// in SQL): either all of it happens or none of it. <see cref="HeartbeatAsync"/> changes one row's
/// lease only, atomically for that row, and never the version, so readers polling the version
/// are not woken by heartbeats.</para>
/// <para><b>Clock.</b> Leases and start times are set from the table's own clock (the database's
/// <c>now()</c>; the injected <see cref="TimeProvider"/> for the in-memory table), never from the
/// caller's, so clock skew between silos does not matter.</para>
/// <para><b>Errors.</b> A lost race (stale version, row already present or missing, a Dead row)
/// is an expected outcome and returns false: re-read and decide again. Exceptions mean the table
/// could not be reached or is broken (connection, timeout); the outcome is then unknown and the
/// caller must re-read before retrying.</para>
/// <para><b>Status order.</b> A row's status only moves forward
/// (<see cref="SiloStatus.Joining"/> → <see cref="SiloStatus.Active"/> →
/// <see cref="SiloStatus.ShuttingDown"/> → <see cref="SiloStatus.Dead"/>; any status may jump to
/// Dead); Dead is terminal.</para>
/// <para>Implementations are safe for concurrent use from many threads and processes.</para>
/// </remarks>
public interface IMembershipTable
{
    /// <summary>Reads every row and the table version as of one instant.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    Task<MembershipTableSnapshot> ReadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts the row of a new silo incarnation with <paramref name="status"/>, a lease of
    /// <paramref name="leaseDuration"/> from the table's now, and <c>StartedAt</c> = now, if and only
    /// if the table version equals <paramref name="expectedVersion"/> and no row for
    /// <paramref name="silo"/> exists; the version then becomes <c>expectedVersion + 1</c>.
    /// </summary>
    /// <returns>True when inserted; false on a version mismatch or when the row already exists (nothing changed).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="leaseDuration"/> is not positive.</exception>
    Task<bool> InsertAsync(SiloAddress silo, SiloStatus status, TimeSpan leaseDuration, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="InsertAsync(SiloAddress, SiloStatus, TimeSpan, long, CancellationToken)"/>, also recording
    /// the silo's HTTP port (<see cref="MembershipEntry.HttpPort"/>). Providers that do not store it
    /// ignore it (the default implementation).
    /// </summary>
    /// <returns>True when inserted; false on a version mismatch or when the row already exists (nothing changed).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="leaseDuration"/> is not positive.</exception>
    Task<bool> InsertAsync(SiloAddress silo, SiloStatus status, TimeSpan leaseDuration, long expectedVersion, int? httpPort, CancellationToken cancellationToken = default) =>
        InsertAsync(silo, status, leaseDuration, expectedVersion, cancellationToken);

    /// <summary>
    /// Sets the status of <paramref name="silo"/>'s row to <paramref name="status"/> if and only if
    /// the table version equals <paramref name="expectedVersion"/>, the row exists, and the move is
    /// forward (or to Dead, or to the same status); the version then becomes
    /// <c>expectedVersion + 1</c>. The lease is left as it is. Used for a silo's own transitions and
    /// by a live silo to declare an expired one Dead.
    /// </summary>
    /// <returns>True when updated; false on a version mismatch, a missing row, a backward move, or a Dead row (nothing changed).</returns>
    Task<bool> UpdateAsync(SiloAddress silo, SiloStatus status, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// Renews the lease of <paramref name="silo"/>: <c>LeaseUntil</c> = the table's now +
    /// <paramref name="leaseDuration"/>. No version check and no version change
    /// (Orleans: <c>UpdateIAmAlive</c>).
    /// </summary>
    /// <returns>True when renewed; false when the row is missing or Dead (the silo has been declared dead and must stop serving).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="leaseDuration"/> is not positive.</exception>
    Task<bool> HeartbeatAsync(SiloAddress silo, TimeSpan leaseDuration, CancellationToken cancellationToken = default);
}
