namespace Granary.Samples.Imaging;

/// <summary>An 8-bit RGB image: <see cref="Pixels"/> holds rows top to bottom, 3 bytes (R, G, B) per pixel.</summary>
public sealed class RgbImage
{
    /// <summary>Creates a black image.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Width or height is not positive.</exception>
    public RgbImage(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        Pixels = new byte[checked(width * height * 3)];
    }

    /// <summary>Wraps existing pixel data (length must be width × height × 3).</summary>
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != checked(width * height * 3))
        {
            throw new ArgumentException($"Expected {width * height * 3} bytes, got {pixels.Length}.", nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Row-major RGB bytes.</summary>
    public byte[] Pixels { get; }

    /// <summary>Bytes per row (width × 3).</summary>
    public int Stride => Width * 3;

    /// <summary>Sets one pixel.</summary>
    public void SetPixel(int x, int y, byte r, byte g, byte b)
    {
        var i = (y * Width + x) * 3;
        Pixels[i] = r;
        Pixels[i + 1] = g;
        Pixels[i + 2] = b;
    }

    /// <summary>Reads one pixel.</summary>
    public (byte R, byte G, byte B) GetPixel(int x, int y)
    {
        var i = (y * Width + x) * 3;
        return (Pixels[i], Pixels[i + 1], Pixels[i + 2]);
    }

    /// <summary>Copies <paramref name="source"/> into this image with its top-left corner at (x, y), clipping at the edges.</summary>
    public void Blit(RgbImage source, int x, int y)
    {
        ArgumentNullException.ThrowIfNull(source);
        var w = Math.Min(source.Width, Width - x);
        var h = Math.Min(source.Height, Height - y);
        if (w <= 0 || h <= 0 || x < 0 || y < 0)
        {
            return;
        }

        for (var row = 0; row < h; row++)
        {
            Buffer.BlockCopy(source.Pixels, row * source.Stride, Pixels, ((y + row) * Width + x) * 3, w * 3);
        }
    }

    /// <summary>Fills a rectangle (clipped) with one colour.</summary>
    public void Fill(int x, int y, int width, int height, byte r, byte g, byte b)
    {
        for (var yy = Math.Max(0, y); yy < Math.Min(Height, y + height); yy++)
        {
            for (var xx = Math.Max(0, x); xx < Math.Min(Width, x + width); xx++)
            {
                SetPixel(xx, yy, r, g, b);
            }
        }
    }
}
