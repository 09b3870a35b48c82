using System.Collections.Immutable;

namespace Granary.Runtime.Membership;

/// <summary>
/// An immutable, versioned snapshot of the silos that may own grains (status Active).
/// Versions only grow; a caller holding a higher version knows more
/// (Orleans: <c>ClusterMembershipSnapshot</c>).
/// </summary>
/// <param name="Version">Monotonic view version; 0 means "no view yet".</param>
/// <param name="ActiveSilos">Silos that own grains in this view, sorted by endpoint.</param>
public sealed record MembershipView(long Version, ImmutableArray<SiloAddress> ActiveSilos)
{
    /// <summary>The empty view (version 0, no silos).</summary>
    public static readonly MembershipView Empty = new(0, []);
}
