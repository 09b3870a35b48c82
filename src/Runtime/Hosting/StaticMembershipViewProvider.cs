using System.Collections.Immutable;
using Granary.Runtime.Membership;

namespace Granary.Runtime.Hosting;

/// <summary>
/// A fixed membership view built from a configured silo list (<see cref="ClientOptions.Silos"/>):
/// version 1, the listed silos all Active, generation as written (<c>host:port@generation</c>) or 0.
/// It never changes, so <see cref="ViewChanged"/> is never raised. The default view provider of
/// <c>AddGranaryClient</c> (registered with TryAdd): register another
/// <see cref="IMembershipViewProvider"/> first (one backed by the membership table, say) to replace it.
/// </summary>
public sealed class StaticMembershipViewProvider : IMembershipViewProvider
{
    /// <summary>The version of the static view.</summary>
    public const long StaticVersion = 1;

    /// <summary>Builds the view from <c>host:port</c> or <c>host:port@generation</c> strings; duplicates count once.</summary>
    /// <exception cref="FormatException">An entry is not in that form.</exception>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    public StaticMembershipViewProvider(IEnumerable<string> silos)
    {
        ArgumentNullException.ThrowIfNull(silos);
        var addresses = silos
            .Select(SiloAddress.Parse)
            .DistinctBy(s => s.Endpoint, StringComparer.Ordinal)
            .OrderBy(s => s.Endpoint, StringComparer.Ordinal)
            .ToImmutableArray();
        if (addresses.IsEmpty)
            throw new ArgumentException("At least one silo endpoint is needed.", nameof(silos));
        Current = new MembershipView(StaticVersion, addresses);
    }

    /// <inheritdoc />
    public MembershipView Current { get; }

    /// <inheritdoc />
    /// <remarks>Never raised: the view is static.</remarks>
    public event Action<MembershipView>? ViewChanged
    {
        add { }
        remove { }
    }
}
