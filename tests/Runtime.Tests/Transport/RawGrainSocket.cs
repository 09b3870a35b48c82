using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Granary.Runtime.Messaging;

namespace Granary.Runtime.Tests.Transport;

/// <summary>A plain socket speaking (or abusing) the grain protocol, for tests of the silo side.</summary>
internal sealed class RawGrainSocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly List<byte> _received = [];

    public static async Task<RawGrainSocket> ConnectAsync(int port)
    {
        var raw = new RawGrainSocket();
        await raw._socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return raw;
    }

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes);

    /// <summary>Preamble and the cluster handshake with <paramref name="secret"/>; fails the test unless the silo accepts.</summary>
    public async Task SendPreambleAsync(string? secret = null) =>
        Assert.Equal(HandshakeStatus.Ok, await TestHandshake.AsClientAsync(_socket, secret));

    /// <summary>Preamble and handshake with <paramref name="secret"/>; the verdict's (or a refusing challenge's) status.</summary>
    public Task<HandshakeStatus> HandshakeAsync(string? secret = null) => TestHandshake.AsClientAsync(_socket, secret);

    /// <summary>Reads exactly <paramref name="count"/> bytes (10 s deadline).</summary>
    public Task<byte[]> ReceiveExactlyAsync(int count) => TestHandshake.ReceiveExactlyAsync(_socket, count);

    public Task SendFrameAsync(FrameKind kind, uint requestId, long view, byte[] payload)
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(writer, kind, requestId, view, payload);
        return SendAsync(writer.WrittenSpan.ToArray());
    }

    /// <summary>Reads one frame; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<(FrameHeader Header, byte[] Payload)> ReadFrameAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var chunk = new byte[4096];
        while (true)
        {
            var buffer = new ReadOnlySequence<byte>(_received.ToArray());
            if (FrameCodec.TryReadFrame(ref buffer, FrameCodec.DefaultMaxFrameBytes, out var header, out var payload))
            {
                var result = (header, payload.ToArray());
                _received.RemoveRange(0, _received.Count - (int)buffer.Length);
                return result;
            }
            var read = await _socket.ReceiveAsync(chunk, SocketFlags.None, cts.Token);
            if (read == 0)
                throw new IOException("The silo closed the connection.");
            _received.AddRange(chunk.AsSpan(0, read));
        }
    }

    /// <summary>True when the peer closes the connection (EOF or reset) within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitClosedAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var chunk = new byte[4096];
        try
        {
            while (true)
            {
                var read = await _socket.ReceiveAsync(chunk, SocketFlags.None, cts.Token);
                if (read == 0)
                    return true;
            }
        }
        catch (SocketException)
        {
            return true; // reset
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();
}
