using System.Globalization;

namespace Granary.Samples.DemoClient;

/// <summary>Options of the demo client; see <see cref="Usage"/>.</summary>
public sealed record DemoClientOptions
{
    /// <summary>The text printed by <c>--help</c>.</summary>
    public const string Usage = """
        Granary demo client: renders a Mandelbrot image by fetching its tiles concurrently through the gateways.

        Options (defaults in brackets):
          --gateways URL[,URL...]   gateways (or plain backends) to alternate between [http://127.0.0.1:8080,http://127.0.0.1:8081]
          --width N                 image width in pixels [1024]
          --height N                image height in pixels [768]
          --tile N                  tile side in pixels, 1..1024 [64]
          --iter N                  iteration cap, 1..10000 [2000]
          --concurrency N           requests in flight [16]
          --client-id ID            X-Client-ID header [demo]
          --out PATH                PNG to write [mandelbrot.png]
          --region X0,Y0,X1,Y1      complex-plane region, Y0 = top row [whole set, fitted to the aspect ratio]
          --max-tries N             tries per tile when rate limited (429) [5]
          --timeout-s N             per-request timeout in seconds [60]
          --no-progress             no progress bar (for scripts)
          -h, --help                this text
        """;

    /// <summary>Base URLs of the gateways; tile i goes to gateway i mod count.</summary>
    public IReadOnlyList<Uri> Gateways { get; init; } = [new("http://127.0.0.1:8080/"), new("http://127.0.0.1:8081/")];

    /// <summary>Image width in pixels.</summary>
    public int Width { get; init; } = 1024;

    /// <summary>Image height in pixels.</summary>
    public int Height { get; init; } = 768;

    /// <summary>Tile side in pixels (edge tiles may be smaller).</summary>
    public int Tile { get; init; } = 64;

    /// <summary>Escape-time iteration cap.</summary>
    public int Iterations { get; init; } = 2000;

    /// <summary>Maximum requests in flight.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>Sent as <c>X-Client-ID</c>.</summary>
    public string ClientId { get; init; } = "demo";

    /// <summary>Path of the PNG written at the end.</summary>
    public string OutputPath { get; init; } = "mandelbrot.png";

    /// <summary>Region (X0, Y0) top-left to (X1, Y1) bottom-right; null = the whole set fitted to the aspect ratio.</summary>
    public (double X0, double Y0, double X1, double Y1)? Region { get; init; }

    /// <summary>Tries per tile while the answer is 429 (the wait between tries follows Retry-After).</summary>
    public int MaxTries { get; init; } = 5;

    /// <summary>Per-request timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether to draw a progress bar.</summary>
    public bool ShowProgress { get; init; } = true;

    /// <summary>Whether <c>--help</c> was given.</summary>
    public bool Help { get; init; }

    /// <summary>The region to render: <see cref="Region"/> or the whole set (x in [−2.5, 1]) fitted to the aspect ratio.</summary>
    public (double X0, double Y0, double X1, double Y1) EffectiveRegion
    {
        get
        {
            if (Region is { } r)
            {
                return r;
            }

            const double x0 = -2.5, x1 = 1.0;
            var halfHeight = (x1 - x0) * Height / Width / 2;
            return (x0, halfHeight, x1, -halfHeight);
        }
    }

    /// <summary>Parses command-line arguments (<c>--key value</c> or <c>--key=value</c>).</summary>
    /// <exception cref="ArgumentException">Unknown option or invalid value; the message names it.</exception>
    public static DemoClientOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = new DemoClientOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? value = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                value = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            string Next() => value ?? (i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value."));

            o = arg switch
            {
                "-h" or "--help" => o with { Help = true },
                "--gateways" => o with { Gateways = ParseGateways(Next()) },
                "--width" => o with { Width = ParseInt(arg, Next(), 1, 16384) },
                "--height" => o with { Height = ParseInt(arg, Next(), 1, 16384) },
                "--tile" => o with { Tile = ParseInt(arg, Next(), 1, 1024) },
                "--iter" => o with { Iterations = ParseInt(arg, Next(), 1, 10000) },
                "--concurrency" => o with { Concurrency = ParseInt(arg, Next(), 1, 1024) },
                "--client-id" => o with { ClientId = NonEmpty(arg, Next()) },
                "--out" => o with { OutputPath = NonEmpty(arg, Next()) },
                "--region" => o with { Region = ParseRegion(Next()) },
                "--max-tries" => o with { MaxTries = ParseInt(arg, Next(), 1, 100) },
                "--timeout-s" => o with { Timeout = TimeSpan.FromSeconds(ParseInt(arg, Next(), 1, 3600)) },
                "--no-progress" => o with { ShowProgress = false },
                _ => throw new ArgumentException($"Unknown option '{arg}'. Try --help."),
            };
        }

        return o;
    }

    private static Uri[] ParseGateways(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            throw new ArgumentException("--gateways needs at least one URL.");
        }

        return [.. parts.Select(p =>
        {
            if (!Uri.TryCreate(p.EndsWith('/') ? p : p + "/", UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                throw new ArgumentException($"--gateways: '{p}' is not an http(s) URL.");
            }

            return uri;
        })];
    }

    private static (double, double, double, double) ParseRegion(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[4];
        if (parts.Length != 4 || !parts.Select((p, i) => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) && double.IsFinite(values[i])).All(ok => ok))
        {
            throw new ArgumentException($"--region must be four finite numbers X0,Y0,X1,Y1, got '{text}'.");
        }

        if (values[0] == values[2] || values[1] == values[3])
        {
            throw new ArgumentException("--region must have a non-zero width and height.");
        }

        return (values[0], values[1], values[2], values[3]);
    }

    private static int ParseInt(string name, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new ArgumentException($"{name} must be an integer in [{min}, {max}], got '{text}'.");

    private static string NonEmpty(string name, string text) =>
        string.IsNullOrWhiteSpace(text) ? throw new ArgumentException($"{name} must not be empty.") : text;
}
