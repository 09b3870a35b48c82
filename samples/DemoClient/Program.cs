using System.Diagnostics;
using Granary.Samples.DemoClient;
using Granary.Samples.Imaging;
using Spectre.Console;

DemoClientOptions options;
try
{
    options = DemoClientOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(DemoClientOptions.Usage);
    return 0;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};

// Plain text when piped or redirected (logs, CI), colours on a terminal.
var console = Console.IsOutputRedirected
    ? AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No })
    : AnsiConsole.Console;
var tiles = TileJob.Plan(options).Count;
ReportPrinter.PrintHeader(console, options, tiles);

using var http = TileFetcher.CreateHttpClient(options);
var fetcher = new TileFetcher(options, http);
var stopwatch = Stopwatch.StartNew();
RgbImage image;
try
{
    if (options.ShowProgress && console.Profile.Capabilities.Interactive)
    {
        image = await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("tiles", maxValue: tiles);
                return await fetcher.RenderAsync(() => task.Increment(1), cts.Token);
            });
    }
    else
    {
        var done = 0;
        var step = Math.Max(1, tiles / 10);
        image = await fetcher.RenderAsync(
            () =>
            {
                var n = Interlocked.Increment(ref done);
                if (options.ShowProgress && (n % step == 0 || n == tiles))
                {
                    Console.WriteLine($"  {n}/{tiles} tiles");
                }
            },
            cts.Token);
    }
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("Cancelled.");
    return 130;
}

stopwatch.Stop();
var outputPath = Path.GetFullPath(options.OutputPath);
Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
await File.WriteAllBytesAsync(outputPath, Png.Encode(image));
ReportPrinter.Print(console, options, fetcher.Statistics, tiles, stopwatch.Elapsed, outputPath);
return fetcher.Statistics.FailedTiles == 0 ? 0 : 1;
