namespace Granary.Runtime.Serialization;

/// <summary>
/// A grain message type that encodes itself. Call arguments and results are records or
/// structs implementing this with static members, so the call path dispatches without
/// reflection or boxing (the role Orleans's generated codecs play).
/// </summary>
/// <typeparam name="TSelf">The message type itself.</typeparam>
public interface IGrainCodec<TSelf> where TSelf : IGrainCodec<TSelf>
{
    /// <summary>Writes <paramref name="value"/>.</summary>
    static abstract void Write(GrainWriter writer, TSelf value);

    /// <summary>Reads a value; throws <see cref="GrainSerializationException"/> on malformed input.</summary>
    static abstract TSelf Read(ref GrainReader reader);
}
