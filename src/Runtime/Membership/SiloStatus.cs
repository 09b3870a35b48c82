namespace Granary.Runtime.Membership;

/// <summary>
/// The life cycle of one silo incarnation in the membership table (Orleans: <c>SiloStatus</c>).
/// A status only moves forward in the order declared here; <see cref="Dead"/> is terminal, so a
/// restarted silo joins again as a new generation.
/// </summary>
public enum SiloStatus
{
    /// <summary>Registered, starting up; owns no grains yet.</summary>
    Joining = 1,

    /// <summary>Serving: owns grains by rendezvous placement over the Active silos.</summary>
    Active = 2,

    /// <summary>Stopping gracefully: deactivating its grains; no longer in the view, owns no grains.</summary>
    ShuttingDown = 3,

    /// <summary>Gone: stopped cleanly, or declared dead after its lease expired. Terminal.</summary>
    Dead = 4,
}
