using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Granary.Bench.Soak;

/// <summary>What a <see cref="Node"/> runs.</summary>
internal enum NodeKind
{
    Silo,
    Gateway,
    Backend,
}

/// <summary>
/// One process of the profile (silo, gateway or demo backend): started as <c>dotnet DLL ARGS</c> with
/// output appended to its log, restarted with the same arguments (a silo then joins as a new
/// generation). Signalled by its own PID only.
/// </summary>
internal sealed partial class Node(string name, NodeKind kind, string dll, IReadOnlyList<string> args, string healthUrl, string logPath)
{
    private Process? _process;

    public string Name { get; } = name;
    public NodeKind Kind { get; } = kind;
    public string HealthUrl { get; } = healthUrl;
    public string BaseUrl => HealthUrl[..HealthUrl.LastIndexOf('/')];
    public int Restarts { get; private set; }
    public int Pid => _process?.Id ?? 0;
    public bool Running => _process is { HasExited: false };

    /// <summary>Orleans's silo-to-silo port (silos only): the port of its rows in <c>granary_orleans_silo</c>.</summary>
    public int SiloPort { get; init; }

    /// <summary>The per-turn log every incarnation of this silo appends to (silos only).</summary>
    public string? TurnLog { get; init; }

    public void Start()
    {
        // exec: the PID is dotnet's own, and the shell does the output redirection.
        var psi = new ProcessStartInfo("bash") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$@\" >>" + Quote(logPath) + " 2>&1 </dev/null");
        psi.ArgumentList.Add("node");
        psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        File.AppendAllText(logPath, $"--- start {DateTime.UtcNow:O}: dotnet {dll} {string.Join(' ', args)}\n");
        _process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {Name}");
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    /// <summary>Sends <paramref name="signal"/> (<see cref="SigKill"/>, <see cref="SigTerm"/>, <see cref="SigStop"/>, <see cref="SigCont"/>) to this node's PID.</summary>
    public void Signal(int signal)
    {
        if (Running)
            _ = Kill(Pid, signal);
    }

    /// <summary>Waits for the process to exit; SIGKILL after <paramref name="grace"/>. Returns the time it took.</summary>
    public async Task<TimeSpan> WaitExitAsync(TimeSpan grace)
    {
        var sw = Stopwatch.StartNew();
        if (_process is null)
            return sw.Elapsed;
        using var cts = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _ = Kill(Pid, SigKill);
            await _process.WaitForExitAsync();
        }
        return sw.Elapsed;
    }

    public async Task StopAsync(TimeSpan grace)
    {
        if (!Running)
            return;
        Signal(SigTerm);
        await WaitExitAsync(grace);
    }

    public void Restart()
    {
        _process?.Dispose();
        Restarts++;
        Start();
    }

    /// <summary>Polls the health URL until it answers 2xx, failing if the process exits.</summary>
    public async Task WaitHealthyAsync(HttpClient http, TimeSpan timeout, Func<Task<bool>>? alsoReady = null)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (!Running)
                throw new InvalidOperationException($"{Name} exited during start-up; see {logPath}");
            try
            {
                using var r = await http.GetAsync(HealthUrl);
                if (r.IsSuccessStatusCode && (alsoReady is null || await alsoReady()))
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or Npgsql.NpgsqlException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{Name} not ready at {HealthUrl} within {timeout.TotalSeconds:0} s; see {logPath}");
    }

    /// <summary>Resident set size, MiB (from /proc/PID/status VmRSS), or null when not running.</summary>
    public double? RssMb()
    {
        if (!Running)
            return null;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
            }
        }
        catch (IOException)
        {
        }
        return null;
    }

    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigCont = 18;
    public const int SigStop = 19;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
