using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Granary.Runtime.Serialization;

/// <summary>
/// Writes the compact binary encoding used for grain call arguments and results:
/// fixed-width little-endian integers and doubles, booleans as one byte, strings as a
/// variable-length (LEB128) byte count followed by UTF-8, nullable strings with count + 1 (0 = null).
/// </summary>
/// <param name="output">Where the bytes go; the writer advances it.</param>
public readonly struct GrainWriter(IBufferWriter<byte> output)
{
    /// <summary>Writes one byte.</summary>
    public void WriteByte(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    /// <summary>Writes <c>1</c> for true, <c>0</c> for false.</summary>
    public void WriteBoolean(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    /// <summary>Writes 2 bytes, little-endian.</summary>
    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(output.GetSpan(2), value);
        output.Advance(2);
    }

    /// <summary>Writes 4 bytes, little-endian.</summary>
    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    /// <summary>Writes 8 bytes, little-endian.</summary>
    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    /// <summary>Writes an IEEE 754 double as 8 bytes, little-endian.</summary>
    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    /// <summary>Writes an unsigned LEB128 variable-length integer (1–5 bytes).</summary>
    public void WriteVarUInt32(uint value)
    {
        var span = output.GetSpan(5);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        output.Advance(i);
    }

    /// <summary>Writes a non-null string: byte count (LEB128) then UTF-8.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt32((uint)byteCount);
        var span = output.GetSpan(byteCount);
        Encoding.UTF8.GetBytes(value, span);
        output.Advance(byteCount);
    }

    /// <summary>Writes a string that may be null: byte count + 1 (LEB128, 0 for null) then UTF-8.</summary>
    public void WriteNullableString(string? value)
    {
        if (value is null)
        {
            WriteVarUInt32(0);
            return;
        }
        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteVarUInt32((uint)byteCount + 1);
        var span = output.GetSpan(byteCount);
        Encoding.UTF8.GetBytes(value, span);
        output.Advance(byteCount);
    }

    /// <summary>Writes raw bytes with no length prefix.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
            return;
        value.CopyTo(output.GetSpan(value.Length));
        output.Advance(value.Length);
    }
}
