using System.Globalization;

namespace Granary.Samples.DemoClient;

/// <summary>One tile: its index, its pixel rectangle in the image, and its region of the complex plane.</summary>
public sealed record TileJob(int Index, int PixelX, int PixelY, int Width, int Height, double X0, double Y0, double X1, double Y1)
{
    /// <summary>Splits the image of <paramref name="options"/> into row-major tiles (edge tiles clipped).</summary>
    public static IReadOnlyList<TileJob> Plan(DemoClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (x0, y0, x1, y1) = options.EffectiveRegion;
        var dx = (x1 - x0) / options.Width;
        var dy = (y1 - y0) / options.Height;
        var jobs = new List<TileJob>();
        for (var py = 0; py < options.Height; py += options.Tile)
        {
            for (var px = 0; px < options.Width; px += options.Tile)
            {
                var w = Math.Min(options.Tile, options.Width - px);
                var h = Math.Min(options.Tile, options.Height - py);
                jobs.Add(new TileJob(jobs.Count, px, py, w, h, x0 + px * dx, y0 + py * dy, x0 + (px + w) * dx, y0 + (py + h) * dy));
            }
        }

        return jobs;
    }

    /// <summary>The relative request URI: <c>mandelbrot?x0=…&amp;y0=…&amp;x1=…&amp;y1=…&amp;w=…&amp;h=…&amp;iter=…</c>.</summary>
    public string ToRelativeUri(int iterations) => string.Create(
        CultureInfo.InvariantCulture,
        $"mandelbrot?x0={X0:R}&y0={Y0:R}&x1={X1:R}&y1={Y1:R}&w={Width}&h={Height}&iter={iterations}");
}
