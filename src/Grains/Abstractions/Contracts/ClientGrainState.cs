using Granary.Runtime.Serialization;

namespace Granary.Grains.Contracts;

/// <summary>The live state of a client grain (admin API, dashboard).</summary>
/// <param name="ClientId">The client id (grain key).</param>
/// <param name="Capacity">Bucket capacity, tokens.</param>
/// <param name="RatePerSec">Refill rate, tokens/s.</param>
/// <param name="Tokens">Tokens in the bucket now (after lazy refill), fractional.</param>
/// <param name="Admitted">Requests admitted since activation.</param>
/// <param name="Rejected">Requests rejected since activation.</param>
/// <param name="LimitsSource"><c>"registry"</c> when the limits come from the client registry, <c>"default"</c> otherwise.</param>
public sealed record ClientGrainState(string ClientId, long Capacity, double RatePerSec, double Tokens, long Admitted, long Rejected, string LimitsSource)
    : IGrainCodec<ClientGrainState>
{
    /// <inheritdoc />
    public static void Write(GrainWriter writer, ClientGrainState value)
    {
        writer.WriteString(value.ClientId);
        writer.WriteInt64(value.Capacity);
        writer.WriteDouble(value.RatePerSec);
        writer.WriteDouble(value.Tokens);
        writer.WriteInt64(value.Admitted);
        writer.WriteInt64(value.Rejected);
        writer.WriteString(value.LimitsSource);
    }

    /// <inheritdoc />
    public static ClientGrainState Read(ref GrainReader reader) =>
        new(reader.ReadString(), reader.ReadInt64(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadString());
}
