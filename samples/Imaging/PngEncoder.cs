using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Granary.Samples.Imaging;

/// <summary>
/// Writes 8-bit truecolour (colour type 2) non-interlaced PNG files: IHDR, one IDAT holding the
/// zlib stream of every row prefixed by filter type 0 (None), IEND (PNG specification, W3C 2003).
/// </summary>
public static class PngEncoder
{
    /// <summary>The 8-byte PNG signature.</summary>
    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Encodes <paramref name="image"/> to a PNG byte array.</summary>
    public static byte[] Encode(RgbImage image, CompressionLevel level = CompressionLevel.Fastest)
    {
        using var output = new MemoryStream(image.Pixels.Length / 4 + 128);
        Encode(image, output, level);
        return output.ToArray();
    }

    /// <summary>Writes <paramref name="image"/> as PNG to <paramref name="output"/>.</summary>
    public static void Encode(RgbImage image, Stream output, CompressionLevel level = CompressionLevel.Fastest)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(output);
        output.Write(Signature);

        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], image.Height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 2;  // colour type: truecolour
        ihdr[10] = 0; // compression: deflate
        ihdr[11] = 0; // filter method 0
        ihdr[12] = 0; // no interlace
        WriteChunk(output, "IHDR", ihdr);

        using (var compressed = new MemoryStream(image.Pixels.Length / 4 + 64))
        {
            using (var z = new ZLibStream(compressed, level, leaveOpen: true))
            {
                var stride = image.Stride;
                for (var y = 0; y < image.Height; y++)
                {
                    z.WriteByte(0);
                    z.Write(image.Pixels, y * stride, stride);
                }
            }

            WriteChunk(output, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        }

        WriteChunk(output, "IEND", []);
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        Encoding.ASCII.GetBytes(type, header[4..]);
        output.Write(header);
        output.Write(data);
        var crc = Crc32.Append(Crc32.Compute(header[4..]), data);
        Span<byte> trailer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(trailer, crc);
        output.Write(trailer);
    }
}
