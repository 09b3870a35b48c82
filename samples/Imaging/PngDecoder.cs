using System.Buffers.Binary;
using System.IO.Compression;

namespace Granary.Samples.Imaging;

/// <summary>
/// Reads non-interlaced 8-bit PNGs of colour type 2 (RGB) or 6 (RGBA, alpha dropped), with row
/// filters 0–4 (None, Sub, Up, Average, Paeth), verifying every chunk's CRC-32. Enough for what
/// <see cref="PngEncoder"/> writes and for most simple truecolour files.
/// </summary>
public static class PngDecoder
{
    /// <summary>Decodes a PNG.</summary>
    /// <exception cref="PngFormatException">The data is not a supported, intact PNG.</exception>
    public static RgbImage Decode(ReadOnlySpan<byte> png)
    {
        if (png.Length < 8 || !png[..8].SequenceEqual(PngEncoder.Signature))
        {
            throw new PngFormatException("Missing PNG signature.");
        }

        int width = 0, height = 0, channels = 0;
        var sawHeader = false;
        var sawEnd = false;
        using var idat = new MemoryStream();
        var pos = 8;
        while (!sawEnd)
        {
            if (png.Length - pos < 12)
            {
                throw new PngFormatException("Truncated chunk.");
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(png[pos..]);
            if (length < 0 || length > png.Length - pos - 12)
            {
                throw new PngFormatException("Chunk length out of range.");
            }

            var typeAndData = png.Slice(pos + 4, 4 + length);
            var type = typeAndData[..4];
            var data = typeAndData[4..];
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png[(pos + 8 + length)..]);
            if (crc != Crc32.Compute(typeAndData))
            {
                throw new PngFormatException($"CRC mismatch in chunk {System.Text.Encoding.ASCII.GetString(type)}.");
            }

            pos += 12 + length;
            if (type.SequenceEqual("IHDR"u8))
            {
                if (data.Length != 13)
                {
                    throw new PngFormatException("Bad IHDR length.");
                }

                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                var depth = data[8];
                var colourType = data[9];
                if (width <= 0 || height <= 0 || width > 1 << 16 || height > 1 << 16)
                {
                    throw new PngFormatException($"Unsupported size {width}x{height}.");
                }

                if (depth != 8 || (colourType != 2 && colourType != 6) || data[10] != 0 || data[11] != 0 || data[12] != 0)
                {
                    throw new PngFormatException($"Unsupported format: depth {depth}, colour type {colourType}, interlace {data[12]}.");
                }

                channels = colourType == 2 ? 3 : 4;
                sawHeader = true;
            }
            else if (type.SequenceEqual("IDAT"u8))
            {
                idat.Write(data);
            }
            else if (type.SequenceEqual("IEND"u8))
            {
                sawEnd = true;
            }
        }

        if (!sawHeader)
        {
            throw new PngFormatException("Missing IHDR.");
        }

        var stride = width * channels;
        var raw = new byte[checked((stride + 1) * height)];
        idat.Position = 0;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            z.ReadExactly(raw);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new PngFormatException("Corrupt or short image data.", e);
        }

        Unfilter(raw, stride, height, channels);

        var image = new RgbImage(width, height);
        for (var y = 0; y < height; y++)
        {
            var src = raw.AsSpan(y * (stride + 1) + 1, stride);
            if (channels == 3)
            {
                src.CopyTo(image.Pixels.AsSpan(y * image.Stride, image.Stride));
            }
            else
            {
                for (var x = 0; x < width; x++)
                {
                    image.SetPixel(x, y, src[x * 4], src[x * 4 + 1], src[x * 4 + 2]);
                }
            }
        }

        return image;
    }

    private static void Unfilter(byte[] raw, int stride, int height, int bpp)
    {
        for (var y = 0; y < height; y++)
        {
            var rowStart = y * (stride + 1);
            var filter = raw[rowStart];
            var row = raw.AsSpan(rowStart + 1, stride);
            var prior = y == 0 ? default : raw.AsSpan(rowStart - stride, stride);
            for (var i = 0; i < stride; i++)
            {
                int a = i >= bpp ? row[i - bpp] : 0;
                int b = y > 0 ? prior[i] : 0;
                int c = i >= bpp && y > 0 ? prior[i - bpp] : 0;
                row[i] = filter switch
                {
                    0 => row[i],
                    1 => (byte)(row[i] + a),
                    2 => (byte)(row[i] + b),
                    3 => (byte)(row[i] + ((a + b) >> 1)),
                    4 => (byte)(row[i] + Paeth(a, b, c)),
                    _ => throw new PngFormatException($"Unknown filter type {filter} in row {y}."),
                };
            }
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        var pa = Math.Abs(p - a);
        var pb = Math.Abs(p - b);
        var pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
