namespace Granary.Runtime.Membership;

/// <summary>Who this silo is: its current incarnation (Orleans: <c>ILocalSiloDetails</c>).</summary>
public interface ILocalSiloDetails
{
    /// <summary>
    /// This silo's current incarnation: <c>Granary:Silo:AdvertisedHost</c> (or <c>Host</c>),
    /// <c>GrainPort</c>, and <c>Generation</c> (when configured as 0: milliseconds since the Unix epoch
    /// when the silo was created). It changes only when the silo, declared Dead after losing its
    /// lease, rejoins the cluster as a new generation (same endpoint, higher generation).
    /// </summary>
    SiloAddress SiloAddress { get; }

    /// <summary>This silo's HTTP port (dashboard, admin API, metrics) as advertised in membership; null when unknown.</summary>
    int? HttpPort => null;
}
