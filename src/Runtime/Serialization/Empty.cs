namespace Granary.Runtime.Serialization;

/// <summary>The argument or result of a grain method that has none; encodes to zero bytes.</summary>
public readonly record struct Empty : IGrainCodec<Empty>
{
    /// <summary>The only value.</summary>
    public static readonly Empty Value;

    /// <inheritdoc />
    public static void Write(GrainWriter writer, Empty value) { }

    /// <inheritdoc />
    public static Empty Read(ref GrainReader reader) => default;
}
