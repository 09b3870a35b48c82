using Granary.Runtime.Serialization;

namespace Granary.Grains.Contracts;

/// <summary>
/// Argument of <see cref="IBackendGrain.ReportBatchAsync"/> (batched mode): a gateway's absolute
/// in-flight count for the destination now, and the requests that finished since its last batch,
/// in the order they finished. Wire shape: gateway id, in-flight (int32), lease (int32), count
/// (int32), then per sample the outcome (1 byte) and the latency (float64, ms).
/// </summary>
/// <param name="GatewayId">The reporting gateway.</param>
/// <param name="InFlight">The gateway's absolute in-flight count for the destination, ≥ 0.</param>
/// <param name="LeaseMs">Lease of that contribution, ms (as in <see cref="InFlightReport"/>).</param>
/// <param name="Outcomes">Finished requests, oldest first; at most <see cref="MaxOutcomes"/>.</param>
public sealed record OutcomeBatch(string GatewayId, int InFlight, int LeaseMs, IReadOnlyList<OutcomeSample> Outcomes) : IGrainCodec<OutcomeBatch>
{
    /// <summary>The most samples in one batch: 8192 (about 74 KB on the wire, well under the 1 MiB frame cap).</summary>
    public const int MaxOutcomes = 8192;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">More than <see cref="MaxOutcomes"/> samples.</exception>
    public static void Write(GrainWriter writer, OutcomeBatch value)
    {
        var outcomes = value.Outcomes;
        if (outcomes.Count > MaxOutcomes)
            throw new ArgumentException($"An outcome batch holds at most {MaxOutcomes} samples, got {outcomes.Count}.", nameof(value));
        writer.WriteString(value.GatewayId);
        writer.WriteInt32(value.InFlight);
        writer.WriteInt32(value.LeaseMs);
        writer.WriteInt32(outcomes.Count);
        for (var i = 0; i < outcomes.Count; i++)
        {
            writer.WriteByte((byte)outcomes[i].Outcome);
            writer.WriteDouble(outcomes[i].LatencyMs);
        }
    }

    /// <inheritdoc />
    /// <exception cref="GrainSerializationException">A negative or too large count, or an unknown outcome.</exception>
    public static OutcomeBatch Read(ref GrainReader reader)
    {
        var gatewayId = reader.ReadString();
        var inFlight = reader.ReadInt32();
        var leaseMs = reader.ReadInt32();
        var count = reader.ReadInt32();
        if (count is < 0 or > MaxOutcomes)
            throw new GrainSerializationException($"Outcome batch count {count} is outside 0–{MaxOutcomes}.");
        if (reader.Remaining < count * 9L)
            throw new GrainSerializationException($"Outcome batch says {count} samples but holds {reader.Remaining} bytes.");
        var outcomes = new OutcomeSample[count];
        for (var i = 0; i < count; i++)
        {
            var kind = (OutcomeKind)reader.ReadByte();
            if (!Enum.IsDefined(kind))
                throw new GrainSerializationException($"Unknown outcome {(byte)kind}.");
            outcomes[i] = new OutcomeSample(kind, reader.ReadDouble());
        }
        return new OutcomeBatch(gatewayId, inFlight, leaseMs, outcomes);
    }
}
