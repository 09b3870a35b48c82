using System.Collections.Immutable;

namespace Granary.Runtime.Membership;

/// <summary>
/// A consistent, versioned read of the whole membership table (Orleans: <c>MembershipTableData</c>):
/// every row and the table version as of one instant, plus the table's clock at that instant so
/// leases can be judged without trusting the reader's clock.
/// </summary>
/// <param name="Version">The table version: starts at 0 and grows by exactly 1 with every successful insert or status update; heartbeats do not change it.</param>
/// <param name="Entries">Every row, any status, sorted by <see cref="SiloAddress.Endpoint"/> then generation.</param>
/// <param name="ReadAt">The table's clock when the snapshot was taken (UTC).</param>
public sealed record MembershipTableSnapshot(long Version, ImmutableArray<MembershipEntry> Entries, DateTimeOffset ReadAt)
{
    /// <summary>The row of <paramref name="silo"/>, or null when it has none.</summary>
    public MembershipEntry? Find(SiloAddress silo)
    {
        foreach (var entry in Entries)
        {
            if (entry.Silo == silo)
                return entry;
        }
        return null;
    }

    /// <summary>
    /// The view derived from this snapshot: the <see cref="SiloStatus.Active"/> silos, sorted by
    /// endpoint then generation, at version <see cref="Version"/>.
    /// </summary>
    public MembershipView ToView()
    {
        var active = ImmutableArray.CreateBuilder<SiloAddress>();
        foreach (var entry in Entries)
        {
            if (entry.Status == SiloStatus.Active)
                active.Add(entry.Silo);
        }
        active.Sort(CompareSilos);
        return new MembershipView(Version, active.ToImmutable());
    }

    /// <summary>Orders silos by endpoint (ordinal), then generation.</summary>
    public static int CompareSilos(SiloAddress a, SiloAddress b)
    {
        var byEndpoint = string.CompareOrdinal(a.Endpoint, b.Endpoint);
        return byEndpoint != 0 ? byEndpoint : a.Generation.CompareTo(b.Generation);
    }
}
