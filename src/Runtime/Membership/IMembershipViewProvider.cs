namespace Granary.Runtime.Membership;

/// <summary>
/// The current membership view and its changes. Silos get it from the membership table;
/// clients from the table or, with static membership, from their configured silo list.
/// </summary>
public interface IMembershipViewProvider
{
    /// <summary>The latest view known to this process.</summary>
    MembershipView Current { get; }

    /// <summary>Raised after <see cref="Current"/> moves to a higher version. Handlers must be quick and must not throw.</summary>
    event Action<MembershipView>? ViewChanged;
}
