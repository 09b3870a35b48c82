using Granary.Runtime.Serialization;

namespace Granary.Grains.RateLimiting;

/// <summary>
/// The persisted part of a client grain (<see cref="ClientGrain"/>): its bucket's tokens at a
/// wall-clock instant, and its counters. Limits are not here: they live in the client registry.
/// Encoded in 33 bytes: a format version byte (1), tokens (double), updated-at (int64), admitted (int64), rejected (int64).
/// </summary>
/// <param name="Tokens">Tokens in the bucket at <paramref name="UpdatedAtUnixMs"/>, fractional, ≥ 0.</param>
/// <param name="UpdatedAtUnixMs">When <paramref name="Tokens"/> was read: Unix time, ms (wall clock, <see cref="TimeProvider.GetUtcNow"/>), so another silo can refill for the time elapsed since.</param>
/// <param name="Admitted">Requests admitted since the client's grain first activated.</param>
/// <param name="Rejected">Requests rejected since the client's grain first activated.</param>
public readonly record struct ClientBucketState(double Tokens, long UpdatedAtUnixMs, long Admitted, long Rejected) : IGrainCodec<ClientBucketState>
{
    /// <summary>The encoding's format version (first byte).</summary>
    public const byte FormatVersion = 1;

    /// <inheritdoc />
    public static void Write(GrainWriter writer, ClientBucketState value)
    {
        writer.WriteByte(FormatVersion);
        writer.WriteDouble(value.Tokens);
        writer.WriteInt64(value.UpdatedAtUnixMs);
        writer.WriteInt64(value.Admitted);
        writer.WriteInt64(value.Rejected);
    }

    /// <inheritdoc />
    /// <exception cref="GrainSerializationException">The format version is not <see cref="FormatVersion"/>, or the input is short.</exception>
    public static ClientBucketState Read(ref GrainReader reader)
    {
        var version = reader.ReadByte();
        if (version != FormatVersion)
            throw new GrainSerializationException($"Client bucket state has format version {version}; this silo reads version {FormatVersion}.");
        return new(reader.ReadDouble(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());
    }
}
