using Granary.Runtime.Serialization;

namespace Granary.Grains.Contracts;

/// <summary>What a gateway needs to balance over a destination; returned by every <see cref="IBackendGrain"/> call.</summary>
/// <param name="Configured">False when the grain has no <see cref="BackendConfig"/> (fresh activation): the gateway should send one.</param>
/// <param name="Healthy">True when the destination may be chosen: active health up and not ejected.</param>
/// <param name="ActiveHealthy">Result of the active probe state machine (true when probing is off).</param>
/// <param name="Ejected">True while passively ejected (outlier detection).</param>
/// <param name="TotalInFlight">Sum of every gateway's unexpired in-flight contribution.</param>
/// <param name="EwmaLatencyMs">Exponentially weighted moving average of latency, ms (0 before the first sample).</param>
/// <param name="Weight">Configured weight.</param>
/// <param name="Requests">Requests reported since activation.</param>
/// <param name="Failures">Failed requests (5xx, connect failure, timeout) reported since activation.</param>
public readonly record struct BackendStatus(
    bool Configured,
    bool Healthy,
    bool ActiveHealthy,
    bool Ejected,
    long TotalInFlight,
    double EwmaLatencyMs,
    int Weight,
    long Requests,
    long Failures) : IGrainCodec<BackendStatus>
{
    /// <inheritdoc />
    public static void Write(GrainWriter writer, BackendStatus value)
    {
        writer.WriteByte((byte)((value.Configured ? 1 : 0) | (value.Healthy ? 2 : 0) | (value.ActiveHealthy ? 4 : 0) | (value.Ejected ? 8 : 0)));
        writer.WriteInt64(value.TotalInFlight);
        writer.WriteDouble(value.EwmaLatencyMs);
        writer.WriteInt32(value.Weight);
        writer.WriteInt64(value.Requests);
        writer.WriteInt64(value.Failures);
    }

    /// <inheritdoc />
    public static BackendStatus Read(ref GrainReader reader)
    {
        var flags = reader.ReadByte();
        if (flags > 15)
            throw new GrainSerializationException($"Invalid backend status flags 0x{flags:x2}.");
        return new BackendStatus((flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, (flags & 8) != 0,
            reader.ReadInt64(), reader.ReadDouble(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64());
    }
}
