using System.Buffers.Binary;
using System.Text;

namespace Granary.Runtime.Serialization;

/// <summary>
/// Reads the encoding written by <see cref="GrainWriter"/> from a contiguous buffer.
/// Every read checks bounds: truncated or malformed input throws
/// <see cref="GrainSerializationException"/>, never reads past the buffer.
/// </summary>
public ref struct GrainReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    /// <summary>Creates a reader over <paramref name="buffer"/>, positioned at its start.</summary>
    public GrainReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>Bytes not read yet.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>The bytes not read yet.</summary>
    public readonly ReadOnlySpan<byte> RemainingSpan => _buffer[_position..];

    /// <summary>Reads one byte.</summary>
    public byte ReadByte() => Take(1)[0];

    /// <summary>Reads a boolean; any byte other than 0 or 1 is malformed.</summary>
    public bool ReadBoolean() => ReadByte() switch
    {
        0 => false,
        1 => true,
        var b => throw new GrainSerializationException($"Invalid boolean byte 0x{b:x2}."),
    };

    /// <summary>Reads 2 bytes, little-endian.</summary>
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    /// <summary>Reads 4 bytes, little-endian.</summary>
    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    /// <summary>Reads 8 bytes, little-endian.</summary>
    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    /// <summary>Reads an IEEE 754 double (8 bytes, little-endian).</summary>
    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    /// <summary>Reads an unsigned LEB128 integer of at most 5 bytes.</summary>
    public uint ReadVarUInt32()
    {
        uint result = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = ReadByte();
            if (shift == 28 && b > 0x0F)
                throw new GrainSerializationException("Variable-length integer overflows 32 bits.");
            result |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return result;
        }
        throw new GrainSerializationException("Variable-length integer longer than 5 bytes.");
    }

    /// <summary>Reads a non-null string written by <see cref="GrainWriter.WriteString"/>.</summary>
    public string ReadString()
    {
        var length = ReadVarUInt32();
        return Decode(Take(CheckLength(length)));
    }

    /// <summary>
    /// Reads a string written by <see cref="GrainWriter.WriteString"/> as its raw bytes, not decoded
    /// (and not checked to be valid UTF-8): a slice of the buffer.
    /// </summary>
    internal ReadOnlySpan<byte> ReadStringBytes()
    {
        var length = ReadVarUInt32();
        return Take(CheckLength(length));
    }

    /// <summary>Reads a string written by <see cref="GrainWriter.WriteNullableString"/>.</summary>
    public string? ReadNullableString()
    {
        var length = ReadVarUInt32();
        return length == 0 ? null : Decode(Take(CheckLength(length - 1)));
    }

    private readonly int CheckLength(uint length) =>
        length > (uint)Remaining
            ? throw new GrainSerializationException($"String of {length} bytes but only {Remaining} remain.")
            : (int)length;

    private static string Decode(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return UTF8Strict.GetString(utf8);
        }
        catch (DecoderFallbackException e)
        {
            throw new GrainSerializationException("String is not valid UTF-8.", e);
        }
    }

    private static readonly UTF8Encoding UTF8Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
            throw new GrainSerializationException($"Needed {count} bytes at offset {_position} but only {Remaining} remain.");
        var slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }
}
