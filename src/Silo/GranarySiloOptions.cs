using System.Net;

namespace Granary.Silo;

/// <summary>
/// Granary's settings of the Orleans silo (configuration section <c>Granary:Silo</c>, beside
/// <see cref="SiloHttpOptions"/>): where the silo-to-silo and gateway ports listen and what address
/// the silo advertises in the membership table. What Orleans owns (activation collection, load
/// shedding, message sizes, response timeouts, membership) is configured through Orleans's own
/// options; failure detection under <c>Granary:Silo:Membership</c> (<see cref="SiloMembership"/>).
/// </summary>
internal sealed class GranarySiloOptions
{
    /// <summary>The configuration section: <c>Granary:Silo</c>.</summary>
    public const string Section = "Granary:Silo";

    /// <summary>
    /// The address the silo-to-silo and gateway ports listen on and, unless <see cref="AdvertisedHost"/>
    /// is set, the address advertised to other silos and to gateways: an IP address or <c>localhost</c>
    /// (127.0.0.1), or a wildcard (<c>*</c>, <c>0.0.0.0</c>, <c>::</c>) to listen on every address.
    /// Default 127.0.0.1. Without TLS (<c>Granary:Tls</c>) it must be a loopback address.
    /// </summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>
    /// The address advertised in the membership table when <see cref="Host"/> is a wildcard (an IP
    /// address, or a DNS name resolved once at start-up, e.g. a container's service name); default
    /// none = the first address of this machine's host name. Only valid with a wildcard <see cref="Host"/>.
    /// </summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>Orleans's silo-to-silo port; 1–65535; default 11111 (local profile 11111, 11112, …).</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Orleans's gateway port, where gateways (Orleans clients) connect; 1–65535; default 30000 (local profile 30000, 30001, …).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// When set, every call a Granary grain serves on this silo is appended to this file (see
    /// <see cref="Diagnostics.TurnLog"/>); the fault tests use it to measure two-activation overlaps. Default none.
    /// </summary>
    public string? TurnLogPath { get; set; }

    /// <summary>
    /// Where the cluster records which silo holds each grain activation: <c>Distributed</c> (default) is Orleans's
    /// strongly consistent in-cluster directory (<c>AddDistributedGrainDirectory</c>, experimental in Orleans 10.4.2,
    /// ORLEANSEXP003); <c>Local</c> is Orleans's default, eventually consistent one, under which a soak here kept
    /// two and three activations of one client grain for up to 176 s after silo restarts (each caller's directory
    /// cache kept a different one busy). Every silo of a cluster must use the same value.
    /// </summary>
    public string GrainDirectory { get; set; } = DistributedDirectory;

    /// <summary>The <see cref="GrainDirectory"/> value for Orleans's distributed, strongly consistent directory.</summary>
    public const string DistributedDirectory = "Distributed";

    /// <summary>The <see cref="GrainDirectory"/> value for Orleans's default (local, eventually consistent) directory.</summary>
    public const string LocalDirectory = "Local";

    /// <summary>True when <see cref="Host"/> is <c>*</c>, <c>+</c>, <c>0.0.0.0</c> or <c>::</c>.</summary>
    public bool ListensOnAnyAddress => SiloApp.ParseHost(Host) is { } ip && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any));

    /// <summary>Checks the values; returns the problems, each naming its key and limit.</summary>
    /// <param name="httpPort">The HTTP port (<see cref="SiloHttpOptions.HttpPort"/>), which must differ from both Orleans ports.</param>
    public IEnumerable<string> Validate(int httpPort)
    {
        if (SiloApp.ParseHost(Host) is null)
            yield return $"{Section}:{nameof(Host)} must be an IP address, 'localhost' or '*', got '{Host}'.";
        else if (AdvertisedHost is { Length: > 0 } && !ListensOnAnyAddress)
            yield return $"{Section}:{nameof(AdvertisedHost)} needs a wildcard {Section}:{nameof(Host)} ('*', '0.0.0.0' or '::'); with {Section}:{nameof(Host)} = '{Host}' that address is advertised.";
        if (AdvertisedHost is { Length: > 0 } advertised && (advertised is "*" or "+" || (IPAddress.TryParse(advertised, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))))
            yield return $"{Section}:{nameof(AdvertisedHost)} must be an address or host name others reach this silo by, not a wildcard ('{advertised}').";
        if (SiloPort is < 1 or > 65535)
            yield return $"{Section}:{nameof(SiloPort)} must be 1–65535, got {SiloPort}.";
        if (GatewayPort is < 1 or > 65535)
            yield return $"{Section}:{nameof(GatewayPort)} must be 1–65535, got {GatewayPort}.";
        if (SiloPort == GatewayPort)
            yield return $"{Section}:{nameof(SiloPort)} and {Section}:{nameof(GatewayPort)} must differ, both are {SiloPort}.";
        if (!string.Equals(GrainDirectory, DistributedDirectory, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(GrainDirectory, LocalDirectory, StringComparison.OrdinalIgnoreCase))
            yield return $"{Section}:{nameof(GrainDirectory)} must be '{DistributedDirectory}' or '{LocalDirectory}', got '{GrainDirectory}'.";
        if (httpPort != 0 && (httpPort == SiloPort || httpPort == GatewayPort))
            yield return $"{Section}:{nameof(SiloHttpOptions.HttpPort)} ({httpPort}) must differ from {Section}:{nameof(SiloPort)} and {Section}:{nameof(GatewayPort)}.";
    }
}
