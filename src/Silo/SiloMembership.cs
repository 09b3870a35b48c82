using Orleans.Configuration;

namespace Granary.Silo;

/// <summary>
/// Failure detection: Orleans's <see cref="ClusterMembershipOptions"/>, bound from
/// <c>Granary:Silo:Membership</c> over Granary's defaults, so it can be tuned without recompiling.
/// Every property of <see cref="ClusterMembershipOptions"/> is a key, by its name, e.g.
/// <c>--Granary:Silo:Membership:ProbeTimeout=00:00:01</c> or
/// <c>Granary__Silo__Membership__NumMissedProbesLimit=2</c>; the ones that matter most:
/// <list type="bullet">
/// <item><c>ProbeTimeout</c> (TimeSpan, default <see cref="DefaultProbeTimeout"/> = 1 s; Orleans's own 5 s): each silo
/// probes its monitored silos once per period of this length, and a probe not answered within it is missed
/// (extended while the probing silo itself is degraded, <c>ExtendProbeTimeoutDuringDegradation</c>).</item>
/// <item><c>NumMissedProbesLimit</c> (default <see cref="DefaultNumMissedProbesLimit"/> = 3, as Orleans): missed
/// probes in a row before a silo votes the other one suspect.</item>
/// <item><c>EnableConnectionLivenessCheck</c> (default <see cref="DefaultEnableConnectionLivenessCheck"/> = false;
/// Orleans's true): with it, a missed probe is forgiven while the TCP connection to the silo is open, and a
/// frozen (SIGSTOPped) process keeps its connections open, so it took about 13 s to be declared dead here,
/// against about 2.4 s without.</item>
/// <item><c>TableRefreshTimeout</c> (default <see cref="DefaultTableRefreshTimeout"/> = 2 s; Orleans's 60 s): how often a
/// silo rereads the membership table, so a silo that missed a gossip learns a death within that.</item>
/// <item><c>NumVotesForDeathDeclaration</c> (Orleans's 2; fewer when fewer silos can vote), <c>NumProbedSilos</c>
/// (Orleans's 10), <c>DefunctSiloExpiration</c> / <c>MaxDefunctSiloEntries</c> (how long Dead rows stay in the table).</item>
/// </list>
/// With the defaults a silo killed or frozen is declared Dead after about ProbeTimeout × NumMissedProbesLimit
/// (≈ 3 s, within the 5 s goal), while a busy silo still has three probes in a row (3 s) before it is suspected; the
/// README gives the measured figures and the soak checks that none are declared dead falsely.
/// </summary>
internal static class SiloMembership
{
    /// <summary>The configuration section: <c>Granary:Silo:Membership</c>.</summary>
    public const string Section = GranarySiloOptions.Section + ":Membership";

    /// <summary>Granary's default <see cref="ClusterMembershipOptions.ProbeTimeout"/>: 1 s.</summary>
    public static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Granary's default <see cref="ClusterMembershipOptions.EnableConnectionLivenessCheck"/>: false.</summary>
    public const bool DefaultEnableConnectionLivenessCheck = false;

    /// <summary>Granary's default <see cref="ClusterMembershipOptions.TableRefreshTimeout"/>: 2 s.</summary>
    public static readonly TimeSpan DefaultTableRefreshTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Granary's default <see cref="ClusterMembershipOptions.NumMissedProbesLimit"/>: 3.</summary>
    public const int DefaultNumMissedProbesLimit = 3;

    /// <summary>Sets Granary's defaults, then binds <paramref name="section"/> over them.</summary>
    public static void Configure(ClusterMembershipOptions options, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(section);
        options.ProbeTimeout = DefaultProbeTimeout;
        options.NumMissedProbesLimit = DefaultNumMissedProbesLimit;
        options.EnableConnectionLivenessCheck = DefaultEnableConnectionLivenessCheck;
        options.TableRefreshTimeout = DefaultTableRefreshTimeout;
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
