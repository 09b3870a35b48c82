using System.Globalization;

namespace Granary.Bench.Soak;

/// <summary>Command-line options of the soak tool.</summary>
internal sealed record Options
{
    public string Mode { get; init; } = "soak";
    public double Minutes { get; init; } = 10;
    public int IntervalS { get; init; } = 30;
    public int Seed { get; init; } = 1;
    public int Silos { get; init; } = 3;
    public int Gateways { get; init; } = 2;
    public int Backends { get; init; } = 3;
    public int Workers { get; init; } = 8;
    public double RatePerWorker { get; init; } = 12;
    public int DeadlineS { get; init; } = 10;
    public int LeaseS { get; init; } = 10;
    public long TightCapacity { get; init; } = 20;
    public double TightRate { get; init; } = 5;
    public double RssGrowthMb { get; init; } = 30;
    public double RssGrowthPct { get; init; } = 20;
    public string RepoRoot { get; init; } = "";
    public string BinDir { get; init; } = "";

    public const string Usage = """
        Usage: Granary.Bench.Soak --repo DIR --bin DIR [options]
          --mode soak|rolling     soak: faults at random (default); rolling: restart every gateway, then every silo
          --minutes N             soak duration (default 10)
          --interval S            seconds between faults (default 30)
          --seed N                seed of the fault choice (default 1)
          --silos N --gateways N --backends N   profile size (default 3, 2, 3)
          --workers N --rate R    load: N workers, R req/s each (default 8 × 12)
          --deadline S            per-request deadline (default 10)
        """;

    public static Options? Parse(string[] args)
    {
        var o = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                o = args[i] switch
                {
                    "--mode" => o with { Mode = Next() },
                    "--minutes" => o with { Minutes = double.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--interval" => o with { IntervalS = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--seed" => o with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--silos" => o with { Silos = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--gateways" => o with { Gateways = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--backends" => o with { Backends = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--workers" => o with { Workers = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--rate" => o with { RatePerWorker = double.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--deadline" => o with { DeadlineS = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--repo" => o with { RepoRoot = Next() },
                    "--bin" => o with { BinDir = Next() },
                    "-h" or "--help" => throw new ArgumentException(""),
                    _ => throw new ArgumentException($"unknown option {args[i]}"),
                };
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                if (e.Message.Length > 0)
                    Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine(Usage);
                return null;
            }
        }
        if (o.Mode is not ("soak" or "rolling") || o.RepoRoot.Length == 0 || o.BinDir.Length == 0 || o.Silos < 2 || o.Gateways < 2 || o.Backends < 1
            || o.Minutes <= 0 || o.IntervalS < 5 || o.Workers < 1 || o.RatePerWorker <= 0)
        {
            Console.Error.WriteLine("bad options (mode soak|rolling, --repo and --bin required, at least 2 silos and 2 gateways, interval ≥ 5 s)");
            Console.Error.WriteLine(Usage);
            return null;
        }
        return o;
    }
}
