using System.Buffers.Binary;
using Granary.Samples.Imaging;

namespace Granary.Samples.Tests;

public sealed class PngTests
{
    [Fact]
    public void Crc32_CheckString_MatchesStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
    }

    [Fact]
    public void Crc32_Append_EqualsCrcOfConcatenation()
    {
        Assert.Equal(Crc32.Compute("123456789"u8), Crc32.Append(Crc32.Compute("1234"u8), "56789"u8));
    }

    [Fact]
    public void EncodeDecode_RandomImage_PixelsEqual()
    {
        var random = new Random(42);
        var image = new RgbImage(37, 23);
        random.NextBytes(image.Pixels);

        var decoded = PngDecoder.Decode(PngEncoder.Encode(image));

        Assert.Equal(image.Width, decoded.Width);
        Assert.Equal(image.Height, decoded.Height);
        Assert.Equal(image.Pixels, decoded.Pixels);
    }

    [Fact]
    public void Encode_Image_StartsWithSignatureAndIhdr()
    {
        var png = PngEncoder.Encode(new RgbImage(3, 2));

        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR"u8.ToArray(), png[12..16]);
        Assert.Equal(3, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.Equal("IEND"u8.ToArray(), png[^8..^4]);
    }

    [Fact]
    public void Decode_CorruptedByte_ThrowsPngFormatException()
    {
        var png = PngEncoder.Encode(new RgbImage(4, 4));
        png[20] ^= 0xFF; // inside IHDR: its CRC no longer matches

        Assert.Throws<PngFormatException>(() => PngDecoder.Decode(png));
    }

    [Fact]
    public void Decode_NotPng_ThrowsPngFormatException()
    {
        Assert.Throws<PngFormatException>(() => PngDecoder.Decode("{\"code\":400}"u8));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Decode_RowsWithFilterType_Unfilters(byte filter)
    {
        // Build a 3x2 RGB PNG whose rows use the given filter, by filtering the raw rows here.
        var image = new RgbImage(3, 2);
        new Random(7).NextBytes(image.Pixels);
        var png = EncodeWithFilter(image, filter);

        var decoded = PngDecoder.Decode(png);

        Assert.Equal(image.Pixels, decoded.Pixels);
    }

    [Fact]
    public void Render_Tile_HasRequestedSizeAndBlackInterior()
    {
        var tile = Mandelbrot.Render(-0.2, 0.1, -0.1, -0.1, 16, 8, 200);

        Assert.Equal(16, tile.Width);
        Assert.Equal(8, tile.Height);
        Assert.Equal((0, 0, 0), ToTuple(tile.GetPixel(8, 4))); // around c = -0.15: inside the main cardioid
        var png = PngEncoder.Encode(tile);
        Assert.True(png.AsSpan().StartsWith(PngEncoder.Signature));
    }

    [Fact]
    public void Render_OutsidePoint_IsColoured()
    {
        var tile = Mandelbrot.Render(1.5, 1.5, 1.6, 1.4, 4, 4, 100);

        Assert.NotEqual((0, 0, 0), ToTuple(tile.GetPixel(1, 1)));
    }

    private static (int, int, int) ToTuple((byte R, byte G, byte B) p) => (p.R, p.G, p.B);

    private static byte[] EncodeWithFilter(RgbImage image, byte filter)
    {
        // Re-encode by taking the encoder's output, swapping its IDAT for one with filtered rows.
        const int bpp = 3;
        var stride = image.Stride;
        var raw = new byte[(stride + 1) * image.Height];
        for (var y = 0; y < image.Height; y++)
        {
            raw[y * (stride + 1)] = filter;
            for (var i = 0; i < stride; i++)
            {
                int x = image.Pixels[y * stride + i];
                int a = i >= bpp ? image.Pixels[y * stride + i - bpp] : 0;
                int b = y > 0 ? image.Pixels[(y - 1) * stride + i] : 0;
                int c = i >= bpp && y > 0 ? image.Pixels[(y - 1) * stride + i - bpp] : 0;
                var predictor = filter switch
                {
                    1 => a,
                    2 => b,
                    3 => (a + b) >> 1,
                    4 => Paeth(a, b, c),
                    _ => 0,
                };
                raw[y * (stride + 1) + 1 + i] = (byte)(x - predictor);
            }
        }

        using var compressed = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(raw);
        }

        var reference = PngEncoder.Encode(image);
        var idatLength = BinaryPrimitives.ReadInt32BigEndian(reference.AsSpan(33));
        using var output = new MemoryStream();
        output.Write(reference, 0, 33); // signature + IHDR chunk
        WriteChunk(output, "IDAT"u8, compressed.ToArray());
        output.Write(reference, 33 + 12 + idatLength, reference.Length - (33 + 12 + idatLength)); // IEND
        return output.ToArray();
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, byte[] data)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        output.Write(four);
        output.Write(type);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(four, Crc32.Append(Crc32.Compute(type), data));
        output.Write(four);
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
