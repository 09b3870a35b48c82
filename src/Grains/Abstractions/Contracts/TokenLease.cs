using Granary.Runtime.Serialization;

namespace Granary.Grains.Contracts;

/// <summary>The answer of <see cref="IClientGrain.LeaseTokensAsync"/>: the tokens granted and the bucket's state after the grant.</summary>
/// <param name="Granted">Tokens taken from the bucket for the gateway, 0 to the requested count (never more than the whole tokens the bucket held).</param>
/// <param name="Limit">Bucket capacity, tokens.</param>
/// <param name="Remaining">Whole tokens left in the bucket after the grant (not counting tokens leased to gateways).</param>
/// <param name="ResetSeconds">Seconds until the bucket is full again (0 when full).</param>
/// <param name="NextTokenMs">When fewer tokens were granted than requested: ms until the bucket holds one whole token again (at least 1); 0 otherwise.</param>
public readonly record struct TokenLease(int Granted, long Limit, long Remaining, int ResetSeconds, int NextTokenMs) : IGrainCodec<TokenLease>
{
    /// <inheritdoc />
    public static void Write(GrainWriter writer, TokenLease value)
    {
        writer.WriteInt32(value.Granted);
        writer.WriteInt64(value.Limit);
        writer.WriteInt64(value.Remaining);
        writer.WriteInt32(value.ResetSeconds);
        writer.WriteInt32(value.NextTokenMs);
    }

    /// <inheritdoc />
    public static TokenLease Read(ref GrainReader reader) =>
        new(reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt32());
}
