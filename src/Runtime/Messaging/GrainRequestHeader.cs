using Granary.Runtime.Serialization;

namespace Granary.Runtime.Messaging;

/// <summary>
/// The start of a <see cref="FrameKind.Request"/> or <see cref="FrameKind.OneWay"/> payload:
/// grain type (string), grain key (string), method id (uint16); the arguments follow.
/// </summary>
/// <param name="GrainId">The target grain.</param>
/// <param name="MethodId">The method of the grain's interface.</param>
public readonly record struct GrainRequestHeader(GrainId GrainId, ushort MethodId)
{
    /// <summary>Writes the header.</summary>
    public static void Write(GrainWriter writer, GrainRequestHeader value)
    {
        writer.WriteString(value.GrainId.Type);
        writer.WriteString(value.GrainId.Key);
        writer.WriteUInt16(value.MethodId);
    }

    /// <summary>Reads the header; the reader is left at the arguments.</summary>
    /// <exception cref="GrainSerializationException">Truncated, or the type/key are empty or too long.</exception>
    public static GrainRequestHeader Read(ref GrainReader reader)
    {
        var type = reader.ReadString();
        var key = reader.ReadString();
        if (type.Length is 0 or > 64)
            throw new GrainSerializationException($"Grain type must be 1–64 characters, got {type.Length}.");
        if (key.Length is 0 or > GrainId.MaxKeyLength)
            throw new GrainSerializationException($"Grain key must be 1–{GrainId.MaxKeyLength} characters, got {key.Length}.");
        return new GrainRequestHeader(new GrainId(type, key), reader.ReadUInt16());
    }
}
