using Granary.Samples.DemoBackend;
using Granary.Samples.DemoClient;
using Granary.Samples.Imaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Granary.Samples.Tests;

public sealed class DemoClientTests
{
    [Fact]
    public void Parse_Arguments_ReadsGatewaysAndSizes()
    {
        var options = DemoClientOptions.Parse(["--gateways", "http://127.0.0.1:1,http://127.0.0.1:2/", "--width=100", "--height", "50", "--tile", "16", "--client-id", "me", "--no-progress"]);

        Assert.Equal([new Uri("http://127.0.0.1:1/"), new Uri("http://127.0.0.1:2/")], options.Gateways);
        Assert.Equal((100, 50, 16, "me", false), (options.Width, options.Height, options.Tile, options.ClientId, options.ShowProgress));
    }

    [Theory]
    [InlineData("--tile", "0")]
    [InlineData("--gateways", "ftp://x")]
    [InlineData("--region", "1,2,3")]
    [InlineData("--what", "1")]
    public void Parse_BadArgument_Throws(string name, string value)
    {
        Assert.Throws<ArgumentException>(() => DemoClientOptions.Parse([name, value]));
    }

    [Fact]
    public void Plan_ImageNotMultipleOfTile_CoversEveryPixelOnce()
    {
        var options = new DemoClientOptions { Width = 100, Height = 70, Tile = 32 };

        var jobs = TileJob.Plan(options);

        Assert.Equal(4 * 3, jobs.Count);
        Assert.Equal(100 * 70, jobs.Sum(j => j.Width * j.Height));
        Assert.Equal((96, 64, 4, 6), (jobs[^1].PixelX, jobs[^1].PixelY, jobs[^1].Width, jobs[^1].Height));
        var (x0, y0, x1, y1) = options.EffectiveRegion;
        Assert.Equal((x0, y0), (jobs[0].X0, jobs[0].Y0));
        Assert.Equal(x1, jobs[^1].X1, 12);
        Assert.Equal(y1, jobs[^1].Y1, 12);
    }

    [Theory]
    [InlineData(new double[] { 5, 1, 3, 2, 4 }, 50, 3)]
    [InlineData(new double[] { 5, 1, 3, 2, 4 }, 99, 5)]
    [InlineData(new double[] { 7 }, 90, 7)]
    public void Percentile_Values_NearestRank(double[] values, double p, double expected)
    {
        Assert.Equal(expected, RunStatistics.Percentile(values, p));
    }

    [Fact]
    public async Task RenderAsync_TwoBackends_StitchesImageAndCountsBothBackends()
    {
        await using var b1 = await StartBackendAsync("b1");
        await using var b2 = await StartBackendAsync("b2");
        var options = new DemoClientOptions
        {
            Gateways = [new Uri(b1.Urls.Single() + "/"), new Uri(b2.Urls.Single() + "/")],
            Width = 96,
            Height = 64,
            Tile = 32,
            Iterations = 100,
            Concurrency = 4,
            ShowProgress = false,
        };
        using var http = TileFetcher.CreateHttpClient(options);
        var fetcher = new TileFetcher(options, http);
        var done = 0;

        var image = await fetcher.RenderAsync(() => Interlocked.Increment(ref done), CancellationToken.None);

        Assert.Equal(6, done);
        Assert.Equal(0, fetcher.Statistics.FailedTiles);
        Assert.Equal(6, fetcher.Statistics.Requests);
        Assert.Equal(3, fetcher.Statistics.Backends["b1"].Ok);
        Assert.Equal(3, fetcher.Statistics.Backends["b2"].Ok);
        var (x0, y0, x1, y1) = options.EffectiveRegion;
        var direct = Mandelbrot.Render(x0, y0, x1, y1, 96, 64, 100);
        var same = Enumerable.Range(0, direct.Pixels.Length).Count(i => direct.Pixels[i] == image.Pixels[i]);
        Assert.True(same >= direct.Pixels.Length * 0.99, $"only {same} of {direct.Pixels.Length} bytes match a direct render");
    }

    [Fact]
    public async Task RenderAsync_UnreachableGateway_RecordsFailedTilesAndFillsGrey()
    {
        var (fetcher, image) = await RenderOneTileAsync(new Uri("http://127.0.0.1:1/"));

        Assert.Equal(1, fetcher.Statistics.FailedTiles);
        Assert.NotEmpty(fetcher.Statistics.Errors);
        AssertGrey(image);
    }

    [Fact]
    public async Task RenderAsync_OneOfTwoGatewaysDown_FetchesEveryTileFromTheOther()
    {
        await using var b1 = await StartBackendAsync("b1");
        var options = new DemoClientOptions
        {
            Gateways = [new Uri("http://127.0.0.1:1/"), new Uri(b1.Urls.Single() + "/")],
            Width = 32,
            Height = 32,
            Tile = 16,
            Iterations = 20,
            ShowProgress = false,
        };
        using var http = TileFetcher.CreateHttpClient(options);
        var fetcher = new TileFetcher(options, http);

        await fetcher.RenderAsync(null, CancellationToken.None);

        Assert.Equal(0, fetcher.Statistics.FailedTiles);
        Assert.Equal(4, fetcher.Statistics.Backends["b1"].Ok);
        Assert.Equal(2, fetcher.Statistics.Gateways["http://127.0.0.1:1"].Failed);
    }

    [Theory]
    [InlineData(2, 5, 0, 3)]
    [InlineData(10, 3, 1, 3)]
    public async Task RenderAsync_RateLimited_RetriesAfterRetryAfterUpToMaxTries(int rejections, int maxTries, int expectedFailed, int expectedRequests)
    {
        await using var gateway = await StartRateLimitingGatewayAsync(rejections);

        var (fetcher, _) = await RenderOneTileAsync(new Uri(gateway.Urls.Single() + "/"), maxTries);

        Assert.Equal(expectedFailed, fetcher.Statistics.FailedTiles);
        Assert.Equal(expectedRequests, fetcher.Statistics.Requests);
        Assert.Equal(Math.Min(rejections, maxTries), fetcher.Statistics.RateLimited);
    }

    [Theory]
    [InlineData("truncated", "bad PNG: Truncated PNG")]
    [InlineData("cut inside", "bad PNG: Corrupt or short image data")]
    [InlineData("header only", "bad PNG: Truncated PNG")]
    [InlineData("json", "bad PNG: Missing PNG signature.")]
    [InlineData("wrong size", "got 4x4, expected 8x8")]
    public async Task RenderAsync_BadPngFromBackend_RecordsFailedTileAndFillsGrey(string kind, string expectedError)
    {
        var tile = new RgbImage(8, 8);
        new Random(1).NextBytes(tile.Pixels);
        var png = Png.Encode(tile);
        var body = kind switch
        {
            "truncated" => png[..(png.Length - 20)],
            "header only" => png[..30],
            "cut inside" => [.. png[..(png.Length / 2)], .. png[^12..]], // first half, then IEND
            "json" => "{\"code\":200}"u8.ToArray(),
            _ => Png.Encode(new RgbImage(4, 4)),
        };
        await using var backend = await StartFixedBodyBackendAsync(body);

        var (fetcher, image) = await RenderOneTileAsync(new Uri(backend.Urls.Single() + "/"));

        Assert.Equal(1, fetcher.Statistics.FailedTiles);
        Assert.Contains(fetcher.Statistics.Errors, e => e.Contains(expectedError, StringComparison.Ordinal));
        AssertGrey(image);
    }

    /// <summary>Renders an 8x8 image, one tile, through <paramref name="gateway"/>.</summary>
    private static async Task<(TileFetcher Fetcher, RgbImage Image)> RenderOneTileAsync(Uri gateway, int maxTries = 5)
    {
        var options = new DemoClientOptions
        {
            Gateways = [gateway],
            Width = 8,
            Height = 8,
            Tile = 8,
            Iterations = 10,
            MaxTries = maxTries,
            ShowProgress = false,
        };
        using var http = TileFetcher.CreateHttpClient(options);
        var fetcher = new TileFetcher(options, http);
        var image = await fetcher.RenderAsync(null, CancellationToken.None);
        return (fetcher, image);
    }

    private static void AssertGrey(RgbImage image) =>
        Assert.Equal((96, 96, 96), ((int)image.GetPixel(3, 3).R, (int)image.GetPixel(3, 3).G, (int)image.GetPixel(3, 3).B));

    private static async Task<WebApplication> StartFixedBodyBackendAsync(byte[] body)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/mandelbrot", () => Results.Bytes(body, "image/png"));
        await app.StartAsync();
        return app;
    }

    private static async Task<WebApplication> StartRateLimitingGatewayAsync(int rejections)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var seen = 0;
        app.MapGet("/mandelbrot", (HttpContext context) =>
        {
            if (Interlocked.Increment(ref seen) <= rejections)
            {
                context.Response.Headers.RetryAfter = "0";
                return Results.Json(new { code = 429, message = "Rate limit exceeded" }, statusCode: 429);
            }

            var w = int.Parse(context.Request.Query["w"]!, System.Globalization.CultureInfo.InvariantCulture);
            var h = int.Parse(context.Request.Query["h"]!, System.Globalization.CultureInfo.InvariantCulture);
            return Results.Bytes(Png.Encode(new RgbImage(w, h)), "image/png");
        });
        await app.StartAsync();
        return app;
    }

    private static async Task<WebApplication> StartBackendAsync(string id)
    {
        var app = DemoBackendApp.Build(new DemoBackendOptions(0, id, 0));
        await app.StartAsync();
        return app;
    }
}
