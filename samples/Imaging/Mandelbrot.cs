namespace Granary.Samples.Imaging;

/// <summary>
/// Escape-time Mandelbrot renderer with smooth (normalized iteration count) colouring.
/// Pixel (px, py) samples the centre of its cell: x = x0 + (px + 0.5)(x1 − x0)/w, y = y0 + (py + 0.5)(y1 − y0)/h,
/// so row 0 is at <c>y0</c>. Points that do not escape within <c>maxIterations</c> are black. The cost is real CPU and
/// uneven: every pixel inside the set costs the full <c>maxIterations</c>, pixels far outside only a few.
/// </summary>
public static class Mandelbrot
{
    private const int PaletteSize = 1024;
    private const double EscapeRadiusSquared = 256.0; // a large radius makes the smooth count accurate
    private static readonly byte[] Palette = BuildPalette();

    /// <summary>Renders the region [x0, x1] × [y0, y1] into a <paramref name="width"/> × <paramref name="height"/> image.</summary>
    public static RgbImage Render(double x0, double y0, double x1, double y1, int width, int height, int maxIterations)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIterations);
        var image = new RgbImage(width, height);
        var dx = (x1 - x0) / width;
        var dy = (y1 - y0) / height;
        var pixels = image.Pixels;
        var log2 = Math.Log(2.0);
        for (var py = 0; py < height; py++)
        {
            var cy = y0 + (py + 0.5) * dy;
            for (var px = 0; px < width; px++)
            {
                var cx = x0 + (px + 0.5) * dx;
                double zx = 0, zy = 0, zx2 = 0, zy2 = 0;
                var n = 0;
                while (n < maxIterations && zx2 + zy2 <= EscapeRadiusSquared)
                {
                    zy = 2 * zx * zy + cy;
                    zx = zx2 - zy2 + cx;
                    zx2 = zx * zx;
                    zy2 = zy * zy;
                    n++;
                }

                var i = (py * width + px) * 3;
                if (n >= maxIterations)
                {
                    pixels[i] = pixels[i + 1] = pixels[i + 2] = 0;
                    continue;
                }

                // Normalized iteration count: n + 1 − log2(log|z|).
                var smooth = n + 1 - Math.Log(Math.Log(zx2 + zy2) * 0.5 / log2) / log2;
                var t = Math.Sqrt(Math.Max(0, smooth)) * 96.0; // sqrt spreads colours evenly over deep zooms
                var k = ((int)t % PaletteSize + PaletteSize) % PaletteSize * 3;
                pixels[i] = Palette[k];
                pixels[i + 1] = Palette[k + 1];
                pixels[i + 2] = Palette[k + 2];
            }
        }

        return image;
    }

    // Linear gradient through the stops of the well-known "Ultra Fractal" default palette:
    // deep blue → blue → white → orange → near black, repeating.
    private static byte[] BuildPalette()
    {
        ReadOnlySpan<double> at = [0.0, 0.16, 0.42, 0.6425, 0.8575, 1.0];
        ReadOnlySpan<byte> rgb = [0, 7, 100, 32, 107, 203, 237, 255, 255, 255, 170, 0, 0, 2, 0, 0, 7, 100];
        var palette = new byte[PaletteSize * 3];
        for (var i = 0; i < PaletteSize; i++)
        {
            var t = (double)i / PaletteSize;
            var s = 0;
            while (t > at[s + 1])
            {
                s++;
            }

            var f = (t - at[s]) / (at[s + 1] - at[s]);
            for (var c = 0; c < 3; c++)
            {
                palette[i * 3 + c] = (byte)Math.Round(rgb[s * 3 + c] + f * (rgb[(s + 1) * 3 + c] - rgb[s * 3 + c]));
            }
        }

        return palette;
    }
}
