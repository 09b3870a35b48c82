using System.Buffers.Binary;
using Granary.Samples.Imaging;
using SkiaSharp;

namespace Granary.Samples.Tests;

/// <summary><see cref="Png"/> through SkiaSharp: what the samples rely on, not how PNG works.</summary>
public sealed class PngTests
{
    [Fact]
    public void EncodeDecode_RandomImage_PixelsEqual()
    {
        var random = new Random(42);
        var image = new RgbImage(37, 23);
        random.NextBytes(image.Pixels);

        var decoded = Png.Decode(Png.Encode(image));

        Assert.Equal(image.Width, decoded.Width);
        Assert.Equal(image.Height, decoded.Height);
        Assert.Equal(image.Pixels, decoded.Pixels);
    }

    [Fact]
    public void Encode_Image_IsEightBitRgbPngOfItsSize()
    {
        var png = Png.Encode(new RgbImage(3, 2));

        Assert.True(png.AsSpan().StartsWith(Png.Signature));
        Assert.Equal("IHDR"u8.ToArray(), png[12..16]);
        Assert.Equal(3, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.Equal((8, 2), (png[24], png[25])); // bit depth 8, colour type 2 (truecolour, no alpha)
        Assert.Equal("IEND"u8.ToArray(), png[^8..^4]);
    }

    [Fact]
    public void Decode_TransparentPngFromSkia_DropsAlphaKeepsColours()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(2, 1, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.SetPixel(0, 0, new SKColor(200, 100, 50, 128));
        bitmap.SetPixel(1, 0, new SKColor(10, 20, 30, 255));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);

        var decoded = Png.Decode(data.ToArray());

        Assert.Equal((2, 1), (decoded.Width, decoded.Height));
        Assert.Equal(new byte[] { 200, 100, 50, 10, 20, 30 }, decoded.Pixels);
    }

    [Fact]
    public void Decode_CorruptedHeaderByte_ThrowsPngFormatException()
    {
        var png = Png.Encode(new RgbImage(4, 4));
        png[20] ^= 0xFF; // inside IHDR: its CRC no longer matches

        var e = Assert.Throws<PngFormatException>(() => Png.Decode(png));
        Assert.Contains("header", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_GarbledImageData_ThrowsPngFormatException()
    {
        var image = new RgbImage(32, 32);
        new Random(3).NextBytes(image.Pixels);
        var png = Png.Encode(image);
        for (var i = 60; i < 200; i++)
        {
            png[i] ^= 0x5A; // inside IDAT
        }

        var e = Assert.Throws<PngFormatException>(() => Png.Decode(png));
        Assert.Contains("image data", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(20)]
    [InlineData(40)]
    [InlineData(100)]
    [InlineData(-12)] // all but IEND
    [InlineData(-1)]
    public void Decode_Truncated_ThrowsPngFormatException(int keep)
    {
        var image = new RgbImage(32, 32);
        new Random(5).NextBytes(image.Pixels);
        var png = Png.Encode(image);
        var length = keep >= 0 ? keep : png.Length + keep;

        Assert.Throws<PngFormatException>(() => Png.Decode(png.AsSpan(0, length)));
    }

    [Theory]
    [InlineData(40)]
    [InlineData(60)]
    [InlineData(200)]
    public void Decode_CutInsideImageDataThenIend_ThrowsPngFormatException(int keep)
    {
        var image = new RgbImage(32, 32);
        new Random(5).NextBytes(image.Pixels);
        var png = Png.Encode(image);
        byte[] cut = [.. png[..keep], .. png[^12..]];

        Assert.Throws<PngFormatException>(() => Png.Decode(cut));
    }

    [Fact]
    public void Decode_RandomDamage_NeverThrowsAnythingElse()
    {
        var random = new Random(11);
        var image = new RgbImage(16, 16);
        random.NextBytes(image.Pixels);
        var png = Png.Encode(image);

        for (var n = 0; n < 300; n++)
        {
            var damaged = (byte[])png.Clone();
            for (var k = random.Next(1, 5); k > 0; k--)
            {
                damaged[random.Next(8, damaged.Length)] = (byte)random.Next(256);
            }

            try
            {
                var decoded = Png.Decode(damaged);
                Assert.Equal((16, 16), (decoded.Width, decoded.Height)); // damage in a chunk Skia skips
            }
            catch (PngFormatException)
            {
            }
        }
    }

    [Fact]
    public void Decode_NotPng_ThrowsPngFormatException()
    {
        var e = Assert.Throws<PngFormatException>(() => Png.Decode("{\"code\":400}"u8));
        Assert.Equal("Missing PNG signature.", e.Message);
    }

    [Fact]
    public void Decode_WiderThanMaxSide_ThrowsPngFormatException()
    {
        var png = Png.Encode(new RgbImage(Png.MaxSide + 1, 1));

        var e = Assert.Throws<PngFormatException>(() => Png.Decode(png));
        Assert.Contains("size", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Tile_HasRequestedSizeAndBlackInterior()
    {
        var tile = Mandelbrot.Render(-0.2, 0.1, -0.1, -0.1, 16, 8, 200);

        Assert.Equal(16, tile.Width);
        Assert.Equal(8, tile.Height);
        Assert.Equal((0, 0, 0), ToTuple(tile.GetPixel(8, 4))); // around c = -0.15: inside the main cardioid
        Assert.Equal(tile.Pixels, Png.Decode(Png.Encode(tile)).Pixels);
    }

    [Fact]
    public void Render_OutsidePoint_IsColoured()
    {
        var tile = Mandelbrot.Render(1.5, 1.5, 1.6, 1.4, 4, 4, 100);

        Assert.NotEqual((0, 0, 0), ToTuple(tile.GetPixel(1, 1)));
    }

    private static (int, int, int) ToTuple((byte R, byte G, byte B) p) => (p.R, p.G, p.B);
}
