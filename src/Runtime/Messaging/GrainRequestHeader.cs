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

    /// <summary>
    /// Reads the header's parts without decoding the strings (so without allocating): the UTF-8
    /// bytes of type and key, the method id, and where the arguments start. False when the payload
    /// is truncated or a length is out of range in bytes; the bytes are not checked to be UTF-8, so
    /// a caller that needs the <see cref="GrainId"/> still decodes with <see cref="Read"/>.
    /// </summary>
    internal static bool TryReadUtf8(ReadOnlySpan<byte> payload, out Utf8GrainId id, out ushort methodId, out int argumentsStart)
    {
        id = default;
        methodId = 0;
        argumentsStart = 0;
        try
        {
            var reader = new GrainReader(payload);
            var type = reader.ReadStringBytes();
            var key = reader.ReadStringBytes();
            // UTF-8 takes 1–3 bytes per UTF-16 char (4 per surrogate pair), so these bounds admit every valid header.
            if (type.Length is 0 or > 64 * 3 || key.Length is 0 or > GrainId.MaxKeyLength * 3)
                return false;
            methodId = reader.ReadUInt16();
            id = new Utf8GrainId(type, key);
            argumentsStart = payload.Length - reader.Remaining;
            return true;
        }
        catch (GrainSerializationException)
        {
            return false;
        }
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
