namespace Granary.Runtime.Membership;

/// <summary>
/// One row of the membership table: one silo incarnation (Orleans: <c>MembershipEntry</c>).
/// Times are the table's clock (the database's in PostgreSQL), never a silo's local clock,
/// so clock skew between hosts does not matter.
/// </summary>
/// <param name="Silo">The silo incarnation (endpoint and generation); the row's key.</param>
/// <param name="Status">Its current status.</param>
/// <param name="LeaseUntil">When its lease ends unless renewed by a heartbeat (table clock, UTC).</param>
/// <param name="StartedAt">When the row was inserted (table clock, UTC).</param>
public sealed record MembershipEntry(SiloAddress Silo, SiloStatus Status, DateTimeOffset LeaseUntil, DateTimeOffset StartedAt)
{
    /// <summary>The silo's HTTP port (dashboard, admin API, metrics) as it advertised it when joining; null when unknown.</summary>
    public int? HttpPort { get; init; }

    /// <summary>True when the lease ended before <paramref name="now"/> (a time read from the same table clock).</summary>
    public bool IsLeaseExpired(DateTimeOffset now) => LeaseUntil < now;
}
