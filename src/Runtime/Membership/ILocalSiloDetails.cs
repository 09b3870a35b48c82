namespace Granary.Runtime.Membership;

/// <summary>Who this silo is: its own incarnation, fixed for the life of the process (Orleans: <c>ILocalSiloDetails</c>).</summary>
public interface ILocalSiloDetails
{
    /// <summary>
    /// This silo's address: <c>Granary:Silo:Host</c>, <c>GrainPort</c>, and <c>Generation</c>
    /// (when configured as 0: milliseconds since the Unix epoch when the silo was created).
    /// </summary>
    SiloAddress SiloAddress { get; }
}
