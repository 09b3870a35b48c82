namespace Granary.Samples.Imaging;

/// <summary>
/// CRC-32 (ISO-HDLC / zlib / PNG: reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF),
/// table-driven as in the PNG specification's sample code (RFC 2083, section 15).
/// The check value of the ASCII string "123456789" is 0xCBF43926.
/// </summary>
public static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a CRC-32: <c>Append(Compute(a), b) == Compute(a + b)</c>; start from 0.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var c = ~crc;
        foreach (var b in data)
        {
            c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return ~c;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
