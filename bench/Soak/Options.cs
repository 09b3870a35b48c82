using System.CommandLine;

namespace Granary.Bench.Soak;

/// <summary>Command-line options of the soak tool, parsed with System.CommandLine (<c>--help</c> lists them with their defaults).</summary>
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

    /// <summary>
    /// Parses the command line with System.CommandLine: null when the tool should not run, after it printed the help
    /// (<paramref name="exitCode"/> 0) or the error and the usage (<paramref name="exitCode"/> 2).
    /// </summary>
    public static Options? Parse(string[] args, out int exitCode)
    {
        var d = new Options();
        var mode = new Option<string>("--mode") { Description = "soak: faults at random; rolling: restart every gateway, then every silo", HelpName = "soak|rolling", DefaultValueFactory = _ => d.Mode }.Must(m => m is "soak" or "rolling", "soak or rolling");
        var minutes = new Option<double>("--minutes") { Description = "Soak duration in minutes", HelpName = "N", DefaultValueFactory = _ => d.Minutes }.Must(m => m > 0, "> 0");
        var interval = new Option<int>("--interval") { Description = "Seconds between faults", HelpName = "S", DefaultValueFactory = _ => d.IntervalS }.Must(s => s >= 5, "at least 5 (seconds)");
        var seed = new Option<int>("--seed") { Description = "Seed of the fault choice", HelpName = "N", DefaultValueFactory = _ => d.Seed };
        var silos = new Option<int>("--silos") { Description = "Silos in the profile", HelpName = "N", DefaultValueFactory = _ => d.Silos }.Must(n => n >= 2, "at least 2");
        var gateways = new Option<int>("--gateways") { Description = "Gateways in the profile", HelpName = "N", DefaultValueFactory = _ => d.Gateways }.Must(n => n >= 2, "at least 2");
        var backends = new Option<int>("--backends") { Description = "Demo backends in the profile", HelpName = "N", DefaultValueFactory = _ => d.Backends }.Must(n => n >= 1, "at least 1");
        var workers = new Option<int>("--workers") { Description = "Load: concurrent workers", HelpName = "N", DefaultValueFactory = _ => d.Workers }.Must(n => n >= 1, "at least 1");
        var rate = new Option<double>("--rate") { Description = "Load: requests per second of each worker", HelpName = "R", DefaultValueFactory = _ => d.RatePerWorker }.Must(r => r > 0, "> 0");
        var deadline = new Option<int>("--deadline") { Description = "Per-request deadline in seconds", HelpName = "S", DefaultValueFactory = _ => d.DeadlineS };
        var repo = new Option<string>("--repo") { Description = "Repository root (bench/soak.sh passes it)", HelpName = "DIR", Required = true }.Must(p => p.Length > 0, "a directory");
        var bin = new Option<string>("--bin") { Description = "Build output with the silo, gateway and demo backend (bench/soak.sh passes it)", HelpName = "DIR", Required = true }.Must(p => p.Length > 0, "a directory");
        var command = BenchCommandLine.Root(
            "Soak or rolling restart of the local profile on PostgreSQL under paced load; run through bench/soak.sh or bench/rolling-restart.sh.",
            mode, minutes, interval, seed, silos, gateways, backends, workers, rate, deadline, repo, bin);
        var result = command.ParseOrExit(args, out exitCode);
        return result is null ? null : d with
        {
            Mode = result.GetRequiredValue(mode),
            Minutes = result.GetValue(minutes),
            IntervalS = result.GetValue(interval),
            Seed = result.GetValue(seed),
            Silos = result.GetValue(silos),
            Gateways = result.GetValue(gateways),
            Backends = result.GetValue(backends),
            Workers = result.GetValue(workers),
            RatePerWorker = result.GetValue(rate),
            DeadlineS = result.GetValue(deadline),
            RepoRoot = result.GetRequiredValue(repo),
            BinDir = result.GetRequiredValue(bin),
        };
    }
}
