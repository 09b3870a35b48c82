using SkiaSharp;

namespace Granary.Samples.Imaging;

/// <summary>
/// PNG files of <see cref="RgbImage"/>s, written and read by SkiaSharp (Skia's PNG codec). Encoding writes an
/// opaque 8-bit RGB PNG. Decoding reads any PNG Skia reads (any bit depth, colour type, palette or interlace);
/// a transparent image's alpha is dropped (colours unpremultiplied).
/// </summary>
public static class Png
{
    /// <summary>The 8-byte PNG signature.</summary>
    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    // The IEND chunk: length 0, type, CRC-32 of the type.
    private static ReadOnlySpan<byte> EndChunk => [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82];

    /// <summary>Largest width or height, in pixels, that <see cref="Decode"/> accepts (larger files are refused before any pixel is read).</summary>
    public const int MaxSide = 16384;

    /// <summary>Encodes <paramref name="image"/> to a PNG byte array (Skia's defaults: every row filter tried, zlib level 6).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Skia could not encode the image.</exception>
    public static byte[] Encode(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = bitmap.GetPixelSpan();
        var rgb = image.Pixels;
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgba[j] = rgb[i];
            rgba[j + 1] = rgb[i + 1];
            rgba[j + 2] = rgb[i + 2];
            rgba[j + 3] = 0xFF;
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100) // quality: ignored for PNG
            ?? throw new InvalidOperationException($"Skia could not encode a {image.Width}x{image.Height} PNG.");
        return data.ToArray();
    }

    /// <summary>Decodes a PNG, which must end with its IEND chunk (nothing after it).</summary>
    /// <returns>The image, <see cref="RgbImage.Width"/> × <see cref="RgbImage.Height"/> as in the file's header.</returns>
    /// <exception cref="PngFormatException">The data is not a PNG, is corrupt or truncated, or is larger than
    /// <see cref="MaxSide"/> on a side; the message says which.</exception>
    public static RgbImage Decode(ReadOnlySpan<byte> png)
    {
        if (png.Length < Signature.Length || !png[..Signature.Length].SequenceEqual(Signature))
        {
            throw new PngFormatException("Missing PNG signature.");
        }

        // Skia stops reading once it has every row, so a file cut after its image data (IEND, or the end of the
        // zlib stream and the last CRC) would decode; a PNG ends with IEND, so anything else was cut short.
        if (!png.EndsWith(EndChunk))
        {
            throw new PngFormatException("Truncated PNG: it does not end with an IEND chunk.");
        }

        using var data = SKData.CreateCopy(png);
        using var stream = new SKMemoryStream(data);
        using var codec = SKCodec.Create(stream, out var created);
        if (codec is null)
        {
            throw new PngFormatException($"Unreadable PNG header ({Describe(created)}).");
        }

        if (codec.EncodedFormat != SKEncodedImageFormat.Png)
        {
            throw new PngFormatException($"Not a PNG: {codec.EncodedFormat}.");
        }

        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0 || width > MaxSide || height > MaxSide)
        {
            throw new PngFormatException($"Unsupported size {width}x{height} (at most {MaxSide} on a side).");
        }

        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize];
        var result = codec.GetPixels(info, rgba);
        if (result != SKCodecResult.Success)
        {
            throw new PngFormatException($"Corrupt or short image data ({Describe(result)}).");
        }

        var image = new RgbImage(width, height);
        var rgb = image.Pixels;
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgb[i] = rgba[j];
            rgb[i + 1] = rgba[j + 1];
            rgb[i + 2] = rgba[j + 2];
        }

        return image;
    }

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "truncated or corrupt",
        SKCodecResult.ErrorInInput => "error in the data",
        SKCodecResult.InvalidInput => "invalid data",
        _ => result.ToString(),
    };
}
