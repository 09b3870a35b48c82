using Granary.Runtime.Serialization;

namespace Granary.Grains.Contracts;

/// <summary>The full state of a backend grain (dashboard, <c>GET /api/backends</c>).</summary>
/// <param name="ClusterId">YARP cluster id.</param>
/// <param name="DestinationId">YARP destination id.</param>
/// <param name="Address">Destination address, null before configuration.</param>
/// <param name="Status">The balancing status.</param>
/// <param name="Contributions">Per-gateway in-flight contributions (unexpired).</param>
/// <param name="HealthReason">Why health last changed, e.g. <c>"3 consecutive probe failures: connection refused"</c>; empty if never.</param>
/// <param name="HealthChangedUnixMs">When health last changed, ms since the Unix epoch; 0 if never.</param>
/// <param name="Ejections">Times ejected since activation.</param>
public sealed record BackendDetails(
    string ClusterId,
    string DestinationId,
    string? Address,
    BackendStatus Status,
    IReadOnlyList<InFlightContribution> Contributions,
    string HealthReason,
    long HealthChangedUnixMs,
    int Ejections) : IGrainCodec<BackendDetails>
{
    /// <inheritdoc />
    public static void Write(GrainWriter writer, BackendDetails value)
    {
        writer.WriteString(value.ClusterId);
        writer.WriteString(value.DestinationId);
        writer.WriteNullableString(value.Address);
        BackendStatus.Write(writer, value.Status);
        writer.WriteVarUInt32((uint)value.Contributions.Count);
        foreach (var c in value.Contributions)
        {
            writer.WriteString(c.GatewayId);
            writer.WriteInt32(c.InFlight);
            writer.WriteInt64(c.ExpiresInMs);
        }
        writer.WriteString(value.HealthReason);
        writer.WriteInt64(value.HealthChangedUnixMs);
        writer.WriteInt32(value.Ejections);
    }

    /// <inheritdoc />
    public static BackendDetails Read(ref GrainReader reader)
    {
        var cluster = reader.ReadString();
        var destination = reader.ReadString();
        var address = reader.ReadNullableString();
        var status = BackendStatus.Read(ref reader);
        var count = reader.ReadVarUInt32();
        // Each contribution takes at least 13 bytes: bound the count by what is left before allocating.
        if (count > (uint)reader.Remaining / 13)
            throw new GrainSerializationException($"Contribution count {count} exceeds what the payload can hold.");
        var contributions = new InFlightContribution[count];
        for (var i = 0; i < contributions.Length; i++)
            contributions[i] = new InFlightContribution(reader.ReadString(), reader.ReadInt32(), reader.ReadInt64());
        return new BackendDetails(cluster, destination, address, status, contributions, reader.ReadString(), reader.ReadInt64(), reader.ReadInt32());
    }
}
