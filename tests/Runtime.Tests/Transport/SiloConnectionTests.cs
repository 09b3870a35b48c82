using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Granary.Runtime.Hosting;
using Granary.Runtime.Messaging;
using Granary.Runtime.Serialization;
using Granary.Tests.Common;
using Granary.Runtime.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Runtime.Tests.Transport;

/// <summary>The client connection against a hand-driven fake silo socket, with a manual clock.</summary>
public sealed class SiloConnectionTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private sealed class FakeSilo : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        /// <summary>The secret this fake silo expects (null: none).</summary>
        public string? Secret { get; init; }

        /// <summary>The secret it proves back with (null: <see cref="Secret"/>); a different one makes it an impostor.</summary>
        public string? ProveWith { get; init; }

        /// <summary>Accepts one connection and reads the preamble only.</summary>
        public async Task<Socket> AcceptRawAsync()
        {
            using var cts = new CancellationTokenSource(Deadline);
            var socket = await _listener.AcceptAsync(cts.Token);
            var preamble = new byte[8];
            await ReceiveExactlyAsync(socket, preamble);
            return socket;
        }

        public FakeSilo()
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen();
        }

        public string Endpoint => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}";

        public async Task<Socket> AcceptAsync()
        {
            using var cts = new CancellationTokenSource(Deadline);
            var socket = await _listener.AcceptAsync(cts.Token);
            var preamble = new byte[8];
            await ReceiveExactlyAsync(socket, preamble);
            Assert.Equal(FrameCodec.Preamble.ToArray(), preamble);
            Assert.True(await TestHandshake.AsSiloAsync(socket, Secret, ProveWith), "the client proved the secret");
            return socket;
        }

        public void Dispose() => _listener.Dispose();
    }

    private static async Task ReceiveExactlyAsync(Socket socket, byte[] buffer)
    {
        using var cts = new CancellationTokenSource(Deadline);
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cts.Token);
            if (n == 0)
                throw new IOException("closed");
            read += n;
        }
    }

    private static async Task<(FrameHeader Header, byte[] Payload)> ReadFrameAsync(Socket socket)
    {
        var head = new byte[FrameHeader.Size];
        await ReceiveExactlyAsync(socket, head);
        var buffer = new ReadOnlySequence<byte>(head);
        Assert.True(FrameCodec.TryReadHeader(buffer, FrameCodec.DefaultMaxFrameBytes, out var header));
        var payload = new byte[header.PayloadLength];
        await ReceiveExactlyAsync(socket, payload);
        return (header, payload);
    }

    private static async Task<bool> WaitClosedAsync(Socket socket)
    {
        using var cts = new CancellationTokenSource(Deadline);
        try
        {
            return await socket.ReceiveAsync(new byte[64], SocketFlags.None, cts.Token) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static PooledBufferWriter Payload()
    {
        var payload = PooledBufferWriter.Rent();
        var writer = new GrainWriter(payload);
        GrainRequestHeader.Write(writer, new GrainRequestHeader(new GrainId("test", "k"), 1));
        return payload;
    }

    private static SiloConnection Connect(FakeSilo silo, TimeProvider time, int callTimeoutMs = 1000) =>
        new(silo.Endpoint, new ClientOptions { CallTimeoutMs = callTimeoutMs, ReconnectMinDelayMs = 100, ReconnectMaxDelayMs = 1000 }, time, new Random(1), NullLogger.Instance);

    [Fact]
    public async Task SendAsync_AnswerArrives_CompletesWithResponseFrame()
    {
        using var silo = new FakeSilo();
        var time = new ManualTimeProvider();
        await using var connection = Connect(silo, time);
        using var peer = await silo.AcceptAsync();
        await GrainTransportTests.WaitUntilAsync(() => connection.IsConnected, "connected");

        var call = connection.SendAsync(3, Payload(), CancellationToken.None).AsTask();
        var (request, _) = await ReadFrameAsync(peer);
        var answer = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(answer, FrameKind.Response, request.RequestId, 9, [1, 2, 3]);
        await peer.SendAsync(answer.WrittenMemory);
        var response = await call.WaitAsync(Deadline);

        Assert.Equal((FrameKind.Request, 3L), (request.Kind, request.ViewVersion));
        Assert.Equal((FrameKind.Response, 9L), (response.Kind, response.ViewVersion));
        Assert.Equal([1, 2, 3], response.Payload.ToArray());
        response.Release();
    }

    [Fact]
    public async Task SendAsync_NoAnswer_TimesOutWhenTheClockPassesTheDeadline()
    {
        using var silo = new FakeSilo();
        var time = new ManualTimeProvider();
        await using var connection = Connect(silo, time, callTimeoutMs: 1000);
        using var peer = await silo.AcceptAsync();
        await GrainTransportTests.WaitUntilAsync(() => connection.IsConnected, "connected");

        var call = connection.SendAsync(1, Payload(), CancellationToken.None).AsTask();
        await ReadFrameAsync(peer);
        time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(120));

        await Assert.ThrowsAsync<TimeoutException>(() => call.WaitAsync(Deadline));
        Assert.True(connection.IsConnected);
    }

    [Fact]
    public async Task Idle_PingsAfterSilenceAndDropsSiloThatStaysSilent()
    {
        using var silo = new FakeSilo();
        var time = new ManualTimeProvider();
        await using var connection = Connect(silo, time);
        using var peer = await silo.AcceptAsync();
        await GrainTransportTests.WaitUntilAsync(() => connection.IsConnected, "connected");

        // The silo never answers: a ping goes out after every PingInterval of silence (at 5 s and at
        // 10 s), then the connection is dropped at DeadAfter (15 s). Each ping is read before the clock
        // moves on, so the last write the silo can see before the close is a ping it already read.
        time.Advance(SiloConnection.PingInterval + TimeSpan.FromMilliseconds(20));
        var (ping, _) = await ReadFrameAsync(peer);
        time.Advance(SiloConnection.PingInterval);
        var (again, _) = await ReadFrameAsync(peer);
        var connectedBeforeDeadAfter = connection.IsConnected;
        time.Advance(SiloConnection.DeadAfter - 2 * SiloConnection.PingInterval);

        Assert.Equal((FrameKind.Ping, FrameKind.Ping), (ping.Kind, again.Kind));
        Assert.True(connectedBeforeDeadAfter, "still connected before DeadAfter");
        Assert.True(await WaitClosedAsync(peer), "the silent silo's connection was dropped");
        await GrainTransportTests.WaitUntilAsync(() => !connection.IsConnected, "disconnected");
    }

    [Fact]
    public async Task ConnectionLost_FailsPendingAndReconnectsAfterBackoff()
    {
        using var silo = new FakeSilo();
        var time = new TimerWatchingTimeProvider(new ManualTimeProvider());
        await using var connection = Connect(silo, time, callTimeoutMs: 60_000);
        var peer = await silo.AcceptAsync();
        await GrainTransportTests.WaitUntilAsync(() => connection.IsConnected, "connected");
        var call = connection.SendAsync(1, Payload(), CancellationToken.None).AsTask();
        await ReadFrameAsync(peer);
        var timersBefore = time.Armed.Count;

        peer.Dispose();

        await Assert.ThrowsAsync<Invocation.SiloUnavailableException>(() => call.WaitAsync(Deadline));
        await GrainTransportTests.WaitUntilAsync(() => !connection.IsConnected, "disconnected");
        await Assert.ThrowsAsync<Invocation.SiloUnavailableException>(async () => await connection.SendAsync(1, Payload(), CancellationToken.None));
        var accept = silo.AcceptAsync();
        // The first retry waits ReconnectMinDelayMs (100 ms) ± 20 % on a one-shot timer of the manual
        // clock: wait until that timer is armed, check it, and only then move the clock past it.
        var backoff = await time.WaitArmedAsync(timersBefore, t => t.Period == Timeout.InfiniteTimeSpan && t.DueTime < TimeSpan.FromSeconds(1), "the reconnect backoff was armed");
        time.Clock.Advance(backoff.DueTime - TimeSpan.FromMilliseconds(1));
        var earlyAttempt = accept.IsCompleted;
        time.Clock.Advance(TimeSpan.FromMilliseconds(1));
        using var second = await accept;
        await GrainTransportTests.WaitUntilAsync(() => connection.IsConnected, "connected again");

        Assert.InRange(backoff.DueTime, TimeSpan.FromMilliseconds(80), TimeSpan.FromMilliseconds(120));
        Assert.False(earlyAttempt, "no reconnect before the backoff elapsed");
        Assert.Equal(2, connection.SessionsOpened);
    }
}
