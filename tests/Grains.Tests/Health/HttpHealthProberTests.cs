using System.Net;
using System.Net.Sockets;
using System.Text;
using Granary.Grains.Health;

namespace Granary.Grains.Tests.Health;

public sealed class HttpHealthProberTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>A one-shot HTTP server on 127.0.0.1 that answers every request with <paramref name="statusLine"/>, or never answers when null.</summary>
    private static (Uri Uri, Task Server, TcpListener Listener) Serve(string? statusLine, CancellationToken stop)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync(stop);
            var stream = client.GetStream();
            var buffer = new byte[4096];
            var request = new StringBuilder();
            while (!request.ToString().Contains("\r\n\r\n"))
            {
                var read = await stream.ReadAsync(buffer, stop);
                if (read == 0)
                    return;
                request.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
            if (statusLine is null)
            {
                await Task.Delay(System.Threading.Timeout.Infinite, stop);
                return;
            }
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {statusLine}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), stop);
        }, stop);
        return (new Uri($"http://127.0.0.1:{port}/healthz"), server, listener);
    }

    [Theory]
    [InlineData("200 OK", true, "HTTP 200")]
    [InlineData("302 Found", true, "HTTP 302")]
    [InlineData("503 Service Unavailable", false, "HTTP 503")]
    [InlineData("404 Not Found", false, "HTTP 404")]
    public async Task ProbeAsync_Status_2xx3xxHealthyElseFailure(string statusLine, bool success, string detail)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var (uri, server, listener) = Serve(statusLine, stop.Token);
        using var prober = new HttpHealthProber();
        try
        {
            var result = await prober.ProbeAsync(uri, Timeout, CancellationToken.None);
            Assert.Equal(new ProbeResult(success, detail), result);
        }
        finally
        {
            await stop.CancelAsync();
            listener.Stop();
            await Task.WhenAny(server);
        }
    }

    [Fact]
    public async Task ProbeAsync_NothingListening_ConnectionRefused()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var prober = new HttpHealthProber();
        var result = await prober.ProbeAsync(new Uri($"http://127.0.0.1:{port}/healthz"), Timeout, CancellationToken.None);
        Assert.Equal(ProbeResult.Unhealthy("connection refused"), result);
    }

    [Fact]
    public async Task ProbeAsync_NoAnswer_TimeoutWithItsLength()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var (uri, server, listener) = Serve(null, stop.Token);
        using var prober = new HttpHealthProber();
        try
        {
            var result = await prober.ProbeAsync(uri, TimeSpan.FromMilliseconds(300), CancellationToken.None);
            Assert.Equal(ProbeResult.Unhealthy("timeout after 300 ms"), result);
        }
        finally
        {
            await stop.CancelAsync();
            listener.Stop();
            await Task.WhenAny(server);
        }
    }

    [Fact]
    public async Task ProbeAsync_CallerCancels_Throws()
    {
        using var prober = new HttpHealthProber();
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => prober.ProbeAsync(new Uri("http://127.0.0.1:1/"), Timeout, canceled.Token));
    }
}
