using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Threading.Channels;

namespace Granary.Bench.GrainCalls;

/// <summary>
/// The silo child process (this executable with <c>--role silo</c>, see <see cref="SiloRole"/>) seen from
/// the client: started on free loopback ports, sampled through its standard input and output, stopped
/// with <c>stop</c> (killed — this one process, by its handle — if it does not exit within 20 s).
/// Its standard error is copied to ours, each line prefixed with <c>[silo]</c>.
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly SemaphoreSlim _requests = new(1, 1);

    private SiloProcess(Process process, int siloPort, int gatewayPort)
    {
        _process = process;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the child and waits (up to <paramref name="timeout"/>) until it prints <c>READY</c>.</summary>
    public static async Task<SiloProcess> StartAsync(TimeSpan timeout)
    {
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        var start = new ProcessStartInfo
        {
            FileName = Environment.ProcessPath ?? throw new InvalidOperationException("The benchmark's own executable path is unknown."),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Run through `dotnet <dll>`: the child needs the dll path first; through the apphost it does not.
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var arg in new[] { "--role", "silo", "--silo-port", siloPort.ToString(CultureInfo.InvariantCulture), "--gateway-port", gatewayPort.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(arg);

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var silo = new SiloProcess(process, siloPort, gatewayPort);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                Console.Error.WriteLine("[silo] " + e.Data);
        };
        process.BeginErrorReadLine();
        _ = silo.PumpOutputAsync();
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            while (await silo.ReadLineAsync(cts.Token) != "READY")
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            await silo.DisposeAsync();
            throw new InvalidOperationException($"The silo child did not report READY within {timeout.TotalSeconds:0} s (see its [silo] lines above).", e);
        }
        return silo;
    }

    /// <summary>The silo process's running totals now (CPU time, allocated bytes, GC counts).</summary>
    public async Task<ProcessSample> SampleAsync()
    {
        await _requests.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync("stats");
            await _process.StandardInput.FlushAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            string line;
            while (!(line = await ReadLineAsync(cts.Token)).StartsWith("STATS ", StringComparison.Ordinal))
            {
            }
            return ProcessSample.Parse(line);
        }
        finally
        {
            _requests.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await _process.StandardInput.WriteLineAsync("stop");
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
                // It exited meanwhile.
            }
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"The silo child (pid {_process.Id}) did not stop within 20 s; killing it.");
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
        _requests.Dispose();
    }

    private async Task PumpOutputAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
            _lines.Writer.TryWrite(line);
        _lines.Writer.TryComplete();
    }

    private ValueTask<string> ReadLineAsync(CancellationToken cancellationToken) => _lines.Reader.ReadAsync(cancellationToken);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
