using Orleans.Configuration;

namespace Granary.Silo;

/// <summary>
/// Failure detection: Orleans's <see cref="ClusterMembershipOptions"/>, bound from
/// <c>Granary:Silo:Membership</c> over Granary's defaults, so it can be tuned without recompiling.
/// Every property of <see cref="ClusterMembershipOptions"/> is a key, by its name, e.g.
/// <c>--Granary:Silo:Membership:ProbeTimeout=00:00:01</c> or
/// <c>Granary__Silo__Membership__NumMissedProbesLimit=2</c>; the ones that matter most:
/// <list type="bullet">
/// <item><c>ProbeTimeout</c> (TimeSpan, default <see cref="DefaultProbeTimeout"/> = 2 s; Orleans's own 5 s): a probe
/// of another silo not answered within it is missed (Orleans adapts it between <c>MinProbeTimeout</c>,
/// ½×, and <c>MaxProbeTimeout</c>, 4×).</item>
/// <item><c>NumMissedProbesLimit</c> (default <see cref="DefaultNumMissedProbesLimit"/> = 3, as Orleans): missed
/// probes in a row before a silo votes the other one suspect.</item>
/// <item><c>NumVotesForDeathDeclaration</c> (Orleans's 2; fewer when fewer silos can vote), <c>NumProbedSilos</c>
/// (Orleans's 10), <c>TableRefreshTimeout</c> (Orleans's 60 s; gossip spreads changes sooner),
/// <c>DefunctSiloExpiration</c> / <c>MaxDefunctSiloEntries</c> (how long Dead rows stay in the table).</item>
/// </list>
/// The defaults are deliberately conservative (a silo killed outright is declared Dead within a few
/// seconds once its connections drop; a frozen one after about ProbeTimeout × NumMissedProbesLimit or
/// more), so a loaded 2-core machine does not declare busy silos dead; measure before tightening them.
/// </summary>
internal static class SiloMembership
{
    /// <summary>The configuration section: <c>Granary:Silo:Membership</c>.</summary>
    public const string Section = GranarySiloOptions.Section + ":Membership";

    /// <summary>Granary's default <see cref="ClusterMembershipOptions.ProbeTimeout"/>: 2 s.</summary>
    public static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Granary's default <see cref="ClusterMembershipOptions.NumMissedProbesLimit"/>: 3.</summary>
    public const int DefaultNumMissedProbesLimit = 3;

    /// <summary>Sets Granary's defaults, then binds <paramref name="section"/> over them.</summary>
    public static void Configure(ClusterMembershipOptions options, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(section);
        options.ProbeTimeout = DefaultProbeTimeout;
        options.NumMissedProbesLimit = DefaultNumMissedProbesLimit;
        section.Bind(options);
    }

    /// <summary>Checks the values Granary relies on; returns the problems, each naming its key.</summary>
    public static IEnumerable<string> Validate(ClusterMembershipOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ProbeTimeout <= TimeSpan.Zero)
            yield return $"{Section}:{nameof(ClusterMembershipOptions.ProbeTimeout)} must be positive, got {options.ProbeTimeout}.";
        if (options.NumMissedProbesLimit < 1)
            yield return $"{Section}:{nameof(ClusterMembershipOptions.NumMissedProbesLimit)} must be at least 1, got {options.NumMissedProbesLimit}.";
        if (options.NumVotesForDeathDeclaration < 1)
            yield return $"{Section}:{nameof(ClusterMembershipOptions.NumVotesForDeathDeclaration)} must be at least 1, got {options.NumVotesForDeathDeclaration}.";
        if (options.TableRefreshTimeout <= TimeSpan.Zero)
            yield return $"{Section}:{nameof(ClusterMembershipOptions.TableRefreshTimeout)} must be positive, got {options.TableRefreshTimeout}.";
    }
}
