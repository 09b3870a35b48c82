using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Granary.Deploy.Tests;

/// <summary>deploy/healthcheck.sh (the images' HEALTHCHECK) run for real with bash against a one-shot HTTP server on 127.0.0.1.</summary>
public sealed class HealthcheckScriptTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Run_ServerAnswers200_ExitsZeroAfterGetHealthz()
    {
        var (exit, request) = await RunAgainstAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");

        Assert.Equal(0, exit);
        Assert.StartsWith("GET /healthz HTTP/1.1\r\n", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ServerAnswers503_ExitsNonZero()
    {
        var (exit, _) = await RunAgainstAsync("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

        Assert.NotEqual(0, exit);
    }

    [Fact]
    public async Task Run_NothingListening_ExitsNonZero()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var exit = await RunScriptAsync(port);

        Assert.NotEqual(0, exit);
    }

    private static async Task<(int Exit, string Request)> RunAgainstAsync(string response)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var cts = new CancellationTokenSource(Deadline);
        var server = ServeOnceAsync(listener, response, cts.Token);
        var exit = await RunScriptAsync(port);
        var request = await server;
        return (exit, request);
    }

    private static async Task<string> ServeOnceAsync(TcpListener listener, string response, CancellationToken ct)
    {
        using var client = await listener.AcceptTcpClientAsync(ct);
        var stream = client.GetStream();
        var received = new StringBuilder();
        var buffer = new byte[1024];
        while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, ct);
            if (n == 0) break;
            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response), ct);
        return received.ToString();
    }

    private static async Task<int> RunScriptAsync(int port)
    {
        var start = new ProcessStartInfo("bash", [RepoPaths.Combine("deploy/healthcheck.sh"), port.ToString(System.Globalization.CultureInfo.InvariantCulture), "/healthz"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        using var cts = new CancellationTokenSource(Deadline);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"healthcheck.sh did not finish within {Deadline.TotalSeconds} s.");
        }
        return process.ExitCode;
    }
}
