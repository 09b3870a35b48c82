using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Channels;
using Granary.Runtime.Invocation;
using Granary.Runtime.Messaging;

namespace Granary.Runtime.Transport;

/// <summary>
/// One open TCP connection from a client to a silo: <see cref="Socket"/> (TCP_NODELAY) plus
/// System.IO.Pipelines over a <see cref="NetworkStream"/>. Request ids map to
/// <see cref="PendingCall"/>s; a single writer loop drains the outbound queue and flushes once per
/// batch; the read loop completes pending calls. When the connection breaks, every pending call
/// fails with <see cref="SiloUnavailableException"/>. A session is never reopened: the owning
/// <see cref="SiloConnection"/> makes a new one.
/// </summary>
internal sealed class ClientSession
{
    private const int FlushThresholdBytes = 64 * 1024;
    private const int PipeBufferBytes = 16 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly string _endpoint;
    private readonly int _maxFrameBytes;
    private readonly TimeProvider _time;
    private readonly PendingCallTable _pending;
    private readonly Channel<OutboundFrame> _outbound = Channel.CreateUnbounded<OutboundFrame>(new UnboundedChannelOptions
    {
        SingleReader = true,
        SingleWriter = false,
        AllowSynchronousContinuations = false,
    });
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _readLoop = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;
    private int _isClosed;
    private long _lastReceived;

    private ClientSession(Socket socket, string endpoint, int maxFrameBytes, int maxPendingCalls, TimeProvider time)
    {
        _pending = new PendingCallTable(maxPendingCalls);
        _socket = socket;
        _endpoint = endpoint;
        _maxFrameBytes = maxFrameBytes;
        _time = time;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: PipeBufferBytes, minimumReadSize: 1024, leaveOpen: true));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: PipeBufferBytes, leaveOpen: true));
        _lastReceived = time.GetTimestamp();
    }

    /// <summary>True until the connection breaks or is closed.</summary>
    public bool IsOpen => Volatile.Read(ref _isClosed) == 0;

    /// <summary>Two-way calls waiting for an answer.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Completes with the reason when the session closes.</summary>
    public Task<string> Closed => _closed.Task;

    /// <summary>When bytes last arrived, in <see cref="TimeProvider.GetTimestamp"/> units.</summary>
    public long LastReceived => Volatile.Read(ref _lastReceived);

    /// <summary>When the last keep-alive ping was queued, in <see cref="TimeProvider.GetTimestamp"/> units.</summary>
    public long LastPingSent { get; set; }

    /// <summary>
    /// Connects, sends the preamble, runs the cluster handshake (<see cref="ClusterHandshake"/>: proves
    /// the secret, checks the silo's proof) and starts the read and write loops. No frame is sent before
    /// the silo has proved the secret.
    /// </summary>
    /// <param name="remote">The silo's address.</param>
    /// <param name="endpoint">The silo's grain endpoint, <c>host:port</c>, for messages.</param>
    /// <param name="maxFrameBytes">Frame cap, bytes.</param>
    /// <param name="maxPendingCalls">Cap on two-way calls waiting for answers.</param>
    /// <param name="key">HMAC key of the cluster secret (<see cref="ClusterHandshake.DeriveKey"/>).</param>
    /// <param name="time">Clock for keep-alive bookkeeping.</param>
    /// <param name="cancellationToken">Bounds the connect and the handshake.</param>
    /// <exception cref="SocketException">The silo refused or could not be reached.</exception>
    /// <exception cref="OperationCanceledException">Canceled, or the connect timed out.</exception>
    /// <exception cref="ClusterAuthenticationException">The silo refused the secret, or did not prove it.</exception>
    /// <exception cref="GrainHandshakeException">The silo refused the connection for another reason or broke the protocol.</exception>
    public static async Task<ClientSession> ConnectAsync(EndPoint remote, string endpoint, int maxFrameBytes, int maxPendingCalls, byte[] key, TimeProvider time, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        ClientSession? session = null;
        try
        {
            await socket.ConnectAsync(remote, cancellationToken).ConfigureAwait(false);
            session = new ClientSession(socket, endpoint, maxFrameBytes, maxPendingCalls, time);
            session._output.Write(FrameCodec.Preamble);
            await session._output.FlushAsync(cancellationToken).ConfigureAwait(false);
            await session.HandshakeAsync(key, cancellationToken).ConfigureAwait(false);
            session._readLoop = session.ReadLoopAsync();
            session._writeLoop = session.WriteLoopAsync();
            return session;
        }
        catch
        {
            if (session is not null)
                await session._stream.DisposeAsync().ConfigureAwait(false);
            socket.Dispose();
            throw;
        }
    }

    private async Task HandshakeAsync(byte[] key, CancellationToken cancellationToken)
    {
        var challenge = await ReadExactlyAsync(ClusterHandshake.ChallengeSize, "challenge", cancellationToken).ConfigureAwait(false);
        switch ((HandshakeStatus)challenge[0])
        {
            case HandshakeStatus.Ok:
                break;
            case HandshakeStatus.TooManyConnections:
                throw new GrainHandshakeException("too_many_connections", $"Grain port {_endpoint} refused the connection: it already serves its maximum of grain connections (Granary:Silo:MaxConnections).");
            default:
                throw new GrainHandshakeException("protocol", $"Grain port {_endpoint} answered the preamble with status {challenge[0]}, not a Granary handshake.");
        }
        var siloNonce = challenge.AsSpan(1, ClusterHandshake.NonceSize).ToArray();
        var response = new byte[ClusterHandshake.ResponseSize];
        RandomNumberGenerator.Fill(response.AsSpan(0, ClusterHandshake.NonceSize));
        var clientNonce = response.AsSpan(0, ClusterHandshake.NonceSize).ToArray();
        ClusterHandshake.ComputeClientProof(key, siloNonce, clientNonce, response.AsSpan(ClusterHandshake.NonceSize));
        _output.Write(response);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);

        var verdict = await ReadExactlyAsync(ClusterHandshake.VerdictSize, "verdict", cancellationToken).ConfigureAwait(false);
        switch ((HandshakeStatus)verdict[0])
        {
            case HandshakeStatus.Ok:
                break;
            case HandshakeStatus.BadSecret:
                throw new ClusterAuthenticationException(_endpoint, "bad_secret",
                    $"grain port {_endpoint} refused the cluster secret: " +
                    (key.Length == 0
                        ? "this client has none (Granary:ClusterSecret is not set) and the silo requires one."
                        : "the silo has a different one, or none.") +
                    " Set the same Granary:ClusterSecret (env Granary__ClusterSecret) on every silo and gateway.");
            default:
                throw new GrainHandshakeException("protocol", $"Grain port {_endpoint} answered the handshake with status {verdict[0]}.");
        }
        if (!ClusterHandshake.VerifySiloProof(key, siloNonce, clientNonce, verdict.AsSpan(1)))
        {
            throw new ClusterAuthenticationException(_endpoint, "silo_unproven",
                $"grain port {_endpoint} did not prove the cluster secret: it is not a member of this cluster (its Granary:ClusterSecret differs), or someone is in the way. No grain call was sent.");
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count, string what, CancellationToken cancellationToken)
    {
        var result = await _input.ReadAtLeastAsync(count, cancellationToken).ConfigureAwait(false);
        var buffer = result.Buffer;
        if (buffer.Length < count)
        {
            _input.AdvanceTo(buffer.End);
            throw new GrainHandshakeException("closed",
                $"Grain port {_endpoint} closed the connection before its handshake {what} (a silo of another protocol version, its handshake deadline passed, or not a Granary silo).");
        }
        var bytes = new byte[count];
        buffer.Slice(0, count).CopyTo(bytes);
        _input.AdvanceTo(buffer.GetPosition(count));
        return bytes;
    }

    /// <summary>Registers a pending call under its request id (see <see cref="PendingCallTable.TryAdd"/>).</summary>
    public PendingAddResult TryAddPending(PendingCall call) => _pending.TryAdd(call);

    /// <summary>Removes <paramref name="call"/> if it is still pending under <paramref name="requestId"/>; the caller then completes it.</summary>
    public bool TryRemovePending(uint requestId, PendingCall call) => _pending.TryRemove(requestId, call);

    /// <summary>Queues a frame for the writer loop; false (payload returned to its pool) when the session is closed.</summary>
    public bool TryEnqueue(in OutboundFrame frame)
    {
        if (_outbound.Writer.TryWrite(frame))
            return true;
        if (frame.Payload is { } payload)
            PooledBufferWriter.Return(payload);
        return false;
    }

    /// <summary>Fails every pending call whose deadline is at or before <paramref name="now"/> with <see cref="TimeoutException"/>.</summary>
    public void ExpireOverdue(long now, int callTimeoutMs)
    {
        var overdue = new List<PendingCall>();
        _pending.RemoveWhere(call => call.Deadline <= now, overdue);
        foreach (var call in overdue)
            call.SetException(new TimeoutException($"Grain call to silo {_endpoint} got no answer within {callTimeoutMs} ms."));
    }

    /// <summary>
    /// Graceful end: sends what is queued (one last flush), waits up to <paramref name="grace"/> for
    /// the answers of pending calls, then closes.
    /// </summary>
    public async Task DrainAndCloseAsync(TimeSpan grace)
    {
        _outbound.Writer.TryComplete();
        var started = _time.GetTimestamp();
        try
        {
            await _writeLoop.WaitAsync(grace, _time).ConfigureAwait(false);
            while (PendingCount > 0 && IsOpen && _time.GetElapsedTime(started) < grace)
                await Task.Delay(TimeSpan.FromMilliseconds(5), _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Closed below either way.
        }
        Close("the client is shutting down");
        await Task.WhenAll(_readLoop, _writeLoop).ConfigureAwait(false);
    }

    /// <summary>Closes the socket and fails every pending call with <see cref="SiloUnavailableException"/>. Idempotent.</summary>
    public void Close(string reason)
    {
        if (Interlocked.Exchange(ref _isClosed, 1) != 0)
            return;
        _outbound.Writer.TryComplete();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
        _socket.Dispose();
        var failed = new List<PendingCall>();
        _pending.RemoveWhere(null, failed);
        foreach (var call in failed)
            call.SetException(new SiloUnavailableException($"Connection to silo {_endpoint} closed: {reason}."));
        _closed.TrySetResult(failed.Count == 0 ? reason : $"{reason}; {failed.Count} pending calls failed");
    }

    private async Task ReadLoopAsync()
    {
        await Task.Yield();
        var reason = "the silo closed the connection";
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync().ConfigureAwait(false);
                Volatile.Write(ref _lastReceived, _time.GetTimestamp());
                var buffer = result.Buffer;
                while (FrameCodec.TryReadFrame(ref buffer, _maxFrameBytes, out var header, out var payload))
                    OnFrame(header, payload);
                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                    break;
            }
        }
        catch (FrameFormatException e)
        {
            reason = $"bad frame from the silo: {e.Message}";
        }
        catch (Exception e)
        {
            reason = e.Message;
        }
        finally
        {
            Close(reason);
            await _input.CompleteAsync().ConfigureAwait(false);
        }
    }

    private void OnFrame(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        switch (header.Kind)
        {
            case FrameKind.Response or FrameKind.Error or FrameKind.WrongSilo:
                if (!_pending.TryTake(header.RequestId, out var call))
                    return; // Timed out or canceled already: the late answer is dropped.
                var length = (int)payload.Length;
                PooledBufferWriter? buffer = null;
                if (length > 0)
                {
                    buffer = PooledBufferWriter.Rent();
                    payload.CopyTo(buffer.GetSpan(length));
                    buffer.Advance(length);
                }
                call!.SetResult(new ResponseFrame(header.Kind, header.ViewVersion, buffer));
                return;
            case FrameKind.Ping:
                TryEnqueue(new OutboundFrame(FrameKind.Pong, header.RequestId, header.ViewVersion, null));
                return;
            case FrameKind.Pong:
                return;
            default:
                throw new FrameFormatException($"A silo may not send {header.Kind} frames.");
        }
    }

    private async Task WriteLoopAsync()
    {
        await Task.Yield();
        var reader = _outbound.Reader;
        var reason = (string?)null;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    var payload = frame.Payload;
                    FrameCodec.WriteFrame(_output, frame.Kind, frame.RequestId, frame.ViewVersion, payload is null ? default : payload.WrittenSpan, _maxFrameBytes);
                    if (payload is not null)
                        PooledBufferWriter.Return(payload);
                    if (_output.UnflushedBytes >= FlushThresholdBytes)
                        await _output.FlushAsync().ConfigureAwait(false);
                }
                // The queue is momentarily empty: one flush for the whole batch.
                await _output.FlushAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            // Any failure ends the session: pending calls fail now rather than at their deadlines.
            reason = e.Message;
        }
        finally
        {
            if (reason is not null)
                Close(reason);
            _outbound.Writer.TryComplete();
            while (reader.TryRead(out var left))
            {
                if (left.Payload is { } payload)
                    PooledBufferWriter.Return(payload);
            }
            try
            {
                await _output.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // The socket is already closed.
            }
        }
    }
}
