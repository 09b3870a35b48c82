using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Granary.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One real child process (silo, gateway or demo backend) started from its build output.
/// Output goes to a log file and a bounded in-memory tail for failure messages. Stopped by PID only.
/// </summary>
internal sealed partial class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Queue<string> _tail = new();

    public string Name { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    private HostProcess(string name, Process process, StreamWriter log)
    {
        Name = name;
        _process = process;
        _log = log;
    }

    public static HostProcess Start(string name, string assemblyName, IEnumerable<string> args, string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        var dll = RepoLayout.HostDll(assemblyName);
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(dll)!,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        if (environment is not null)
            foreach (var (k, v) in environment)
                psi.Environment[k] = v;
        var logPath = Path.Combine(RepoLayout.TestLogDirectory, $"{name}-{DateTime.UtcNow:HHmmss.fff}.log");
        var log = new StreamWriter(logPath, append: false, Encoding.UTF8) { AutoFlush = true };
        log.WriteLine($"$ dotnet {string.Join(' ', psi.ArgumentList)}");
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var host = new HostProcess(name, process, log);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_tail)
        {
            _log.WriteLine(line);
            _tail.Enqueue(line);
            while (_tail.Count > 40)
                _tail.Dequeue();
        }
    }

    /// <summary>The last lines the process printed, for assertion messages.</summary>
    public string Tail()
    {
        lock (_tail)
            return $"--- {Name} (pid {Pid}{(HasExited ? $", exited {_process.ExitCode}" : "")}) ---\n" + string.Join('\n', _tail);
    }

    /// <summary>Polls <c>url</c> until it answers 200, failing early if the process exits.</summary>
    public async Task WaitHealthyAsync(HttpClient http, string url, TimeSpan timeout)
    {
        await Poll.UntilAsync(async () =>
        {
            if (HasExited)
                throw new InvalidOperationException($"{Name} exited during start-up.\n{Tail()}");
            using var response = await http.GetAsync(url);
            return response.IsSuccessStatusCode;
        }, timeout, $"{Name} at {url}\n{Tail()}", intervalMs: 100);
    }

    public void Signal(int signal)
    {
        if (!HasExited)
            _ = Kill(Pid, signal);
    }

    /// <summary>SIGKILL: the process gets no chance to clean up.</summary>
    public void KillHard()
    {
        Signal(SigKill);
        _process.WaitForExit(10_000);
    }

    /// <summary>SIGTERM, then SIGKILL if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (HasExited)
            return;
        Signal(SigTerm);
        using var cts = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            KillHard();
        }
    }

    public int ExitCode => _process.ExitCode;

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        lock (_tail)
            _log.Dispose();
        _process.Dispose();
    }

    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigStop = 19;
    public const int SigCont = 18;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
