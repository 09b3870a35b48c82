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
/// <param name="Policy">The balancing policy name of the destination's cluster as the gateways configured it (<see cref="BackendConfig.Policy"/>); null if none was sent.</param>
/// <param name="RequestsPerSec">Reported outcomes per second over the last 5 full seconds (fewer right after activation), requests/s.</param>
/// <param name="P99LatencyMs">99th percentile of the latencies of every outcome reported over the last 60 s (current second included), ms; 0 without samples. Histogram estimate: within ~9 % of the true value.</param>
/// <param name="History">One sample per full second since activation, oldest first, ending with the second before now; at most <see cref="MaxHistory"/> (the last 180 s); seconds without reports are zero samples.</param>
public sealed record BackendDetails(
    string ClusterId,
    string DestinationId,
    string? Address,
    BackendStatus Status,
    IReadOnlyList<InFlightContribution> Contributions,
    string HealthReason,
    long HealthChangedUnixMs,
    int Ejections,
    string? Policy,
    double RequestsPerSec,
    double P99LatencyMs,
    IReadOnlyList<BackendSample> History) : IGrainCodec<BackendDetails>
{
    /// <summary>The most samples <see cref="History"/> holds: 180 (3 minutes of one-second samples).</summary>
    public const int MaxHistory = 180;

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
        // Appended in issue 4: policy, requests/s, p99, then the history as (int64 ms, double rps, double latency ms).
        writer.WriteNullableString(value.Policy);
        writer.WriteDouble(value.RequestsPerSec);
        writer.WriteDouble(value.P99LatencyMs);
        writer.WriteVarUInt32((uint)value.History.Count);
        foreach (var sample in value.History)
        {
            writer.WriteInt64(sample.UnixMs);
            writer.WriteDouble(sample.RequestsPerSec);
            writer.WriteDouble(sample.LatencyMs);
        }
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
        var healthReason = reader.ReadString();
        var healthChanged = reader.ReadInt64();
        var ejections = reader.ReadInt32();
        // An encoding from before issue 4 ends here.
        if (reader.Remaining == 0)
            return new BackendDetails(cluster, destination, address, status, contributions, healthReason, healthChanged, ejections, null, 0, 0, []);
        var policy = reader.ReadNullableString();
        var rps = reader.ReadDouble();
        var p99 = reader.ReadDouble();
        var sampleCount = reader.ReadVarUInt32();
        // Each sample takes 24 bytes.
        if (sampleCount > (uint)reader.Remaining / 24)
            throw new GrainSerializationException($"History count {sampleCount} exceeds what the payload can hold.");
        var history = new BackendSample[sampleCount];
        for (var i = 0; i < history.Length; i++)
            history[i] = new BackendSample(reader.ReadInt64(), reader.ReadDouble(), reader.ReadDouble());
        return new BackendDetails(cluster, destination, address, status, contributions, healthReason, healthChanged, ejections, policy, rps, p99, history);
    }
}
