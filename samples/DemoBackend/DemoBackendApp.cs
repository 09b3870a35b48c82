using System.Globalization;
using Granary.Samples.Imaging;

namespace Granary.Samples.DemoBackend;

/// <summary>
/// Builds the demo backend: <c>GET /healthz</c>, <c>GET /mandelbrot</c> (PNG tile, real CPU), and any
/// other path answered with a small JSON body. Every response carries <c>X-Backend-Id</c>.
/// </summary>
public static class DemoBackendApp
{
    /// <summary>Response header naming the backend that served the request.</summary>
    public const string BackendIdHeader = "X-Backend-Id";

    /// <summary>Largest tile side, in pixels.</summary>
    public const int MaxTileSide = 1024;

    /// <summary>Largest iteration count.</summary>
    public const int MaxIterations = 10_000;

    /// <summary>Builds (does not start) the application listening on <c>options.Host</c>:<c>options.Port</c> (default 127.0.0.1).</summary>
    public static WebApplication Build(DemoBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(DemoBackendOptions.ParseHost(options.Host), options.Port);
            k.AddServerHeader = false;
        });
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, DemoJsonContext.Default));

        var app = builder.Build();
        var id = options.Id;
        var latency = TimeSpan.FromMilliseconds(options.LatencyMs);

        app.Use((context, next) =>
        {
            context.Response.Headers[BackendIdHeader] = id;
            return next(context);
        });

        app.MapGet("/healthz", () => Results.Json(new HealthResponse("ok", id), DemoJsonContext.Default.HealthResponse));

        app.MapGet("/mandelbrot", async (HttpContext context) =>
        {
            await DelayAsync(latency, context.RequestAborted);
            if (!TryParseTile(context.Request.Query, out var tile, out var error))
            {
                return Results.Json(new ErrorResponse(400, error), DemoJsonContext.Default.ErrorResponse, statusCode: 400);
            }

            var image = Mandelbrot.Render(tile.X0, tile.Y0, tile.X1, tile.Y1, tile.Width, tile.Height, tile.Iterations);
            return Results.Bytes(Png.Encode(image), "image/png");
        });

        app.MapFallback(async (HttpContext context) =>
        {
            await DelayAsync(latency, context.RequestAborted);
            return Results.Json(new EchoResponse(id, context.Request.Path.Value ?? "/"), DemoJsonContext.Default.EchoResponse);
        });

        return app;
    }

    /// <summary>Parses and validates the tile query: w, h in 1..1024, iter in 1..10000, finite coordinates.</summary>
    public static bool TryParseTile(IQueryCollection query, out TileRequest tile, out string error)
    {
        ArgumentNullException.ThrowIfNull(query);
        tile = default!;
        if (!TryDouble(query, "x0", out var x0, out error) || !TryDouble(query, "y0", out var y0, out error)
            || !TryDouble(query, "x1", out var x1, out error) || !TryDouble(query, "y1", out var y1, out error)
            || !TryInt(query, "w", 1, MaxTileSide, out var w, out error) || !TryInt(query, "h", 1, MaxTileSide, out var h, out error)
            || !TryInt(query, "iter", 1, MaxIterations, out var iter, out error))
        {
            return false;
        }

        tile = new TileRequest(x0, y0, x1, y1, w, h, iter);
        return true;
    }

    private static Task DelayAsync(TimeSpan latency, CancellationToken cancellationToken) =>
        latency > TimeSpan.Zero ? Task.Delay(latency, cancellationToken) : Task.CompletedTask;

    private static bool TryDouble(IQueryCollection query, string name, out double value, out string error)
    {
        var text = query[name].ToString();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value))
        {
            error = "";
            return true;
        }

        error = $"Query parameter {name} must be a finite number, got {text}.";
        return false;
    }

    private static bool TryInt(IQueryCollection query, string name, int min, int max, out int value, out string error)
    {
        var text = query[name].ToString();
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
        {
            error = "";
            return true;
        }

        error = $"Query parameter {name} must be an integer in [{min}, {max}], got {text}.";
        return false;
    }
}
