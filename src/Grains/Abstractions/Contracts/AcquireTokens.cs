using Granary.Runtime.Serialization;

namespace Granary.Grains.Contracts;

/// <summary>Argument of <see cref="IClientGrain.TryAcquireAsync"/>.</summary>
/// <param name="Tokens">Tokens to take, at least 1 (one per request in the gateway).</param>
public readonly record struct AcquireTokens(int Tokens) : IGrainCodec<AcquireTokens>
{
    /// <inheritdoc />
    public static void Write(GrainWriter writer, AcquireTokens value) => writer.WriteInt32(value.Tokens);

    /// <inheritdoc />
    public static AcquireTokens Read(ref GrainReader reader) => new(reader.ReadInt32());
}
