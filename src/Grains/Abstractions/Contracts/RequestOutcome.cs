using Granary.Runtime.Serialization;

namespace Granary.Grains.Contracts;

/// <summary>A finished request (argument of <see cref="IBackendGrain.ReportOutcomeAsync"/>).</summary>
/// <param name="GatewayId">The reporting gateway.</param>
/// <param name="InFlight">The gateway's absolute in-flight count for the destination after this request, ≥ 0.</param>
/// <param name="LeaseMs">Lease of that contribution, ms (as in <see cref="InFlightReport"/>).</param>
/// <param name="LatencyMs">Time from forwarding to the end of the response, ms.</param>
/// <param name="Outcome">How it ended.</param>
public readonly record struct RequestOutcome(string GatewayId, int InFlight, int LeaseMs, double LatencyMs, OutcomeKind Outcome)
    : IGrainCodec<RequestOutcome>
{
    /// <inheritdoc />
    public static void Write(GrainWriter writer, RequestOutcome value)
    {
        writer.WriteString(value.GatewayId);
        writer.WriteInt32(value.InFlight);
        writer.WriteInt32(value.LeaseMs);
        writer.WriteDouble(value.LatencyMs);
        writer.WriteByte((byte)value.Outcome);
    }

    /// <inheritdoc />
    public static RequestOutcome Read(ref GrainReader reader)
    {
        var outcome = new RequestOutcome(reader.ReadString(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadDouble(), (OutcomeKind)reader.ReadByte());
        return Enum.IsDefined(outcome.Outcome) ? outcome : throw new GrainSerializationException($"Unknown outcome {(byte)outcome.Outcome}.");
    }
}
