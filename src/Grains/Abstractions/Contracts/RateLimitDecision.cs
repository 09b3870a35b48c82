using Granary.Runtime.Serialization;

namespace Granary.Grains.Contracts;

/// <summary>
/// The answer of <see cref="IClientGrain.TryAcquireAsync"/>, with what the gateway needs for the
/// <c>RateLimit-Limit</c>, <c>RateLimit-Remaining</c>, <c>RateLimit-Reset</c> and <c>Retry-After</c> headers.
/// </summary>
/// <param name="Admitted">True when the tokens were taken.</param>
/// <param name="Limit">Bucket capacity, tokens.</param>
/// <param name="Remaining">Whole tokens left after this decision.</param>
/// <param name="RetryAfterSeconds">When rejected: seconds until enough tokens have refilled (at least 1); 0 when admitted.</param>
/// <param name="ResetSeconds">Seconds until the bucket is full again (0 when full).</param>
public readonly record struct RateLimitDecision(bool Admitted, long Limit, long Remaining, int RetryAfterSeconds, int ResetSeconds)
    : IGrainCodec<RateLimitDecision>
{
    /// <inheritdoc />
    public static void Write(GrainWriter writer, RateLimitDecision value)
    {
        writer.WriteBoolean(value.Admitted);
        writer.WriteInt64(value.Limit);
        writer.WriteInt64(value.Remaining);
        writer.WriteInt32(value.RetryAfterSeconds);
        writer.WriteInt32(value.ResetSeconds);
    }

    /// <inheritdoc />
    public static RateLimitDecision Read(ref GrainReader reader) =>
        new(reader.ReadBoolean(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt32());
}
