using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace Granary.Hosting.Http;

/// <summary>
/// A cap on open connections for the HTTP endpoints it is installed on (Kestrel connection middleware,
/// <see cref="Install"/>), so a silo's grain port, also hosted by Kestrel, is not counted. A connection
/// beyond the cap is counted (callback), its request headers are read (at most 16 KiB or 1 s, so closing
/// does not reset the answer away), and it gets <c>HTTP/1.1 503</c> with
/// <c>{"code":503,"message":"Too many connections (limit N)"}</c> and <c>Connection: close</c>.
/// Kestrel's own <c>MaxConcurrentConnections</c> would close it without an answer and apply to every endpoint.
/// </summary>
public sealed class ConnectionLimiter
{
    private const int MaxDrainBytes = 16 * 1024;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(1);

    private readonly int _max;
    private readonly Action _onRejected;
    private readonly byte[] _response;
    private int _open;

    /// <param name="maxConnections">Most open connections; 0 = no limit.</param>
    /// <param name="onRejected">Called once per refused connection; must not throw.</param>
    public ConnectionLimiter(int maxConnections, Action onRejected)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxConnections);
        ArgumentNullException.ThrowIfNull(onRejected);
        _max = maxConnections;
        _onRejected = onRejected;
        var body = $"{{\"code\":503,\"message\":\"Too many connections (limit {maxConnections})\"}}";
        _response = Encoding.ASCII.GetBytes(
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\nRetry-After: 1\r\n" +
            $"Content-Length: {body.Length}\r\n\r\n{body}");
    }

    /// <summary>Open connections counted now.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Adds the limit to one endpoint's connection pipeline (before HTTP); nothing when the limit is 0.</summary>
    public void Install(IConnectionBuilder listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        if (_max > 0)
            listen.Use(next => connection => OnConnectedAsync(connection, next));
    }

    private async Task OnConnectedAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (Interlocked.Increment(ref _open) > _max)
        {
            Interlocked.Decrement(ref _open);
            _onRejected();
            await RejectAsync(connection.Transport).ConfigureAwait(false);
            return;
        }
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private async Task RejectAsync(IDuplexPipe transport)
    {
        try
        {
            using var timeout = new CancellationTokenSource(DrainTimeout);
            while (true)
            {
                var result = await transport.Input.ReadAsync(timeout.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var done = result.IsCompleted || buffer.Length >= MaxDrainBytes || EndsHeaders(buffer);
                transport.Input.AdvanceTo(done ? buffer.End : buffer.Start, buffer.End);
                if (done)
                    break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ConnectionResetException)
        {
            // Slow or gone: answer anyway (or fail to), then close.
        }
        try
        {
            await transport.Output.WriteAsync(_response).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or OperationCanceledException or InvalidOperationException)
        {
            // The client left; nothing to answer.
        }
    }

    private static bool EndsHeaders(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> _, "\r\n\r\n"u8);
    }
}
