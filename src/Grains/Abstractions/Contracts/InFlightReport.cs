using Granary.Runtime.Serialization;

namespace Granary.Grains.Contracts;

/// <summary>A gateway's absolute in-flight count for one destination (argument of <see cref="IBackendGrain.ReportInFlightAsync"/>).</summary>
/// <param name="GatewayId">The reporting gateway's id (unique per gateway process).</param>
/// <param name="InFlight">Requests this gateway has in flight to the destination now, ≥ 0.</param>
/// <param name="LeaseMs">How long the contribution counts without renewal, ms; after that it is dropped (a dead gateway leaks nothing).</param>
public readonly record struct InFlightReport(string GatewayId, int InFlight, int LeaseMs) : IGrainCodec<InFlightReport>
{
    /// <inheritdoc />
    public static void Write(GrainWriter writer, InFlightReport value)
    {
        writer.WriteString(value.GatewayId);
        writer.WriteInt32(value.InFlight);
        writer.WriteInt32(value.LeaseMs);
    }

    /// <inheritdoc />
    public static InFlightReport Read(ref GrainReader reader) => new(reader.ReadString(), reader.ReadInt32(), reader.ReadInt32());
}
