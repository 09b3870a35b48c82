using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Threading.Channels;
using Granary.Runtime.Messaging;
using Granary.Runtime.Serialization;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Transport;

/// <summary>
/// One accepted grain connection on a silo. The preamble and the cluster handshake
/// (<see cref="ClusterHandshake"/>) come first, within <see cref="InboundSettings.HandshakeTimeout"/>;
/// no frame is read before the client has proved the cluster secret. Then a read loop decodes
/// frames; each call is handed to the <see cref="IIncomingCallHandler"/> without waiting for it,
/// so calls on one connection run concurrently (the catalog serializes per grain). Answers go
/// through one outbound queue drained by a single writer loop that flushes once per batch (when
/// the queue is momentarily empty), so batches form under load with no timer.
/// Garbage closes this connection only.
/// </summary>
internal sealed class InboundConnection
{
    /// <summary>Frames with a payload at least this large are copied out of the pipe piece by piece.</summary>
    internal const int AssembleThreshold = 64 * 1024;

    private const int FlushThresholdBytes = 64 * 1024;
    private static readonly TimeSpan WriterDrainTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DrainPollInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>How long a stopping silo lets running calls on a connection finish before closing it.</summary>
    internal static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(1);

    private readonly ConnectionContext _connection;
    private readonly InboundSettings _settings;
    private readonly IIncomingCallHandler _callHandler;
    private readonly IUtf8IncomingCallHandler? _utf8Handler;
    private readonly int _maxFrameBytes;
    private readonly int _maxInFlight;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _closing = new();
    private readonly Channel<OutboundFrame> _outbound = Channel.CreateUnbounded<OutboundFrame>(new UnboundedChannelOptions
    {
        SingleReader = true,
        SingleWriter = false,
        AllowSynchronousContinuations = false,
    });
    private int _inFlight;
    private volatile bool _discardOutput;

    public InboundConnection(ConnectionContext connection, IIncomingCallHandler callHandler, InboundSettings settings)
    {
        _settings = settings;
        _time = settings.Time;
        _connection = connection;
        _callHandler = callHandler;
        _utf8Handler = callHandler as IUtf8IncomingCallHandler;
        _maxFrameBytes = settings.MaxFrameBytes;
        _maxInFlight = settings.MaxInFlight;
        _logger = settings.Logger;
    }

    /// <summary>
    /// Refuses a connection before its handshake: sends a challenge carrying <paramref name="status"/>
    /// (and no nonce) so the client can say why, then returns (Kestrel closes the connection).
    /// </summary>
    public static async Task RefuseAsync(ConnectionContext connection, HandshakeStatus status, InboundSettings settings)
    {
        try
        {
            using var deadline = new CancellationTokenSource(settings.HandshakeTimeout, settings.Time);
            var output = connection.Transport.Output;
            var span = output.GetSpan(ClusterHandshake.ChallengeSize);
            span[..ClusterHandshake.ChallengeSize].Clear();
            span[0] = (byte)status;
            output.Advance(ClusterHandshake.ChallengeSize);
            await output.FlushAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ConnectionResetException or ConnectionAbortedException or InvalidOperationException)
        {
            // The peer is gone or not reading: it is refused either way.
        }
    }

    /// <summary>Serves the connection until the client closes it or sends garbage.</summary>
    public async Task RunAsync()
    {
        var input = _connection.Transport.Input;
        var writer = Task.CompletedTask;
        var authenticated = false;
        // Kestrel asks every connection to close when the server stops: stop reading new calls.
        var closeRequested = _connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        using var stopReading = closeRequested.UnsafeRegister(static state => ((PipeReader)state!).CancelPendingRead(), input);
        try
        {
            if (await HandshakeAsync(input, closeRequested).ConfigureAwait(false))
            {
                authenticated = true;
                writer = WriteLoopAsync();
                await ReadFramesAsync(input).ConfigureAwait(false);
            }
            if (closeRequested.IsCancellationRequested)
                await DrainInFlightAsync().ConfigureAwait(false);
            TransportLog.InboundClosed(_logger, _connection.RemoteEndPoint);
        }
        catch (FrameFormatException e)
        {
            if (!authenticated)
                HandshakeFailed("bad_preamble", e.Message);
            else
                TransportLog.BadFrames(_logger, _connection.RemoteEndPoint, e.Message);
            if (e.IsOverFrameCap)
                _settings.Metrics.LimitHit("max_frame_bytes");
            _discardOutput = true;
        }
        catch (Exception e) when (e is ConnectionResetException or ConnectionAbortedException or IOException or OperationCanceledException)
        {
            TransportLog.InboundClosed(_logger, _connection.RemoteEndPoint);
        }
        catch (Exception e)
        {
            TransportLog.InboundFailed(_logger, _connection.RemoteEndPoint, e);
            _discardOutput = true;
        }
        finally
        {
            // Calls still running see the cancellation; their answers are dropped.
            _closing.Cancel();
            _outbound.Writer.TryComplete();
            if (_discardOutput)
                _connection.Abort(new ConnectionAbortedException("Protocol violation on the grain port."));
            await input.CompleteAsync().ConfigureAwait(false);
            try
            {
                // Answers already queued still go out, unless the peer stopped reading.
                await writer.WaitAsync(WriterDrainTimeout, _time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _discardOutput = true;
                _connection.Abort(new ConnectionAbortedException("The peer stopped reading."));
                await writer.ConfigureAwait(false);
            }
        }
    }

    /// <summary>Lets calls already running finish (answers are sent) for up to <see cref="ShutdownGrace"/>.</summary>
    private async Task DrainInFlightAsync()
    {
        var started = _time.GetTimestamp();
        while (Volatile.Read(ref _inFlight) > 0 && _time.GetElapsedTime(started) < ShutdownGrace && !_connection.ConnectionClosed.IsCancellationRequested)
            await Task.Delay(DrainPollInterval, _time).ConfigureAwait(false);
    }

    /// <summary>
    /// Preamble, challenge, response, verdict (see <see cref="ClusterHandshake"/>) within the handshake
    /// deadline. True when the client proved the secret (the silo's proof is then flushed); false when the
    /// connection is to close, the failure already logged and counted.
    /// </summary>
    /// <exception cref="FrameFormatException">The connection does not start with the preamble.</exception>
    private async Task<bool> HandshakeAsync(PipeReader input, CancellationToken closeRequested)
    {
        using var deadline = new CancellationTokenSource(_settings.HandshakeTimeout, _time);
        using var onDeadline = deadline.Token.UnsafeRegister(static state => ((PipeReader)state!).CancelPendingRead(), input);
        var output = _connection.Transport.Output;
        try
        {
            if (!await ReadPreambleAsync(input).ConfigureAwait(false))
                return Aborted(deadline, closeRequested);

            var siloNonce = new byte[ClusterHandshake.NonceSize];
            RandomNumberGenerator.Fill(siloNonce);
            WriteStatus(output, HandshakeStatus.Ok, siloNonce);
            await output.FlushAsync(deadline.Token).ConfigureAwait(false);

            var result = await input.ReadAtLeastAsync(ClusterHandshake.ResponseSize, _closing.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length < ClusterHandshake.ResponseSize)
            {
                input.AdvanceTo(buffer.End);
                return Aborted(deadline, closeRequested);
            }
            var response = new byte[ClusterHandshake.ResponseSize];
            buffer.Slice(0, ClusterHandshake.ResponseSize).CopyTo(response);
            input.AdvanceTo(buffer.GetPosition(ClusterHandshake.ResponseSize));
            var clientNonce = response.AsSpan(0, ClusterHandshake.NonceSize);
            var clientProof = response.AsSpan(ClusterHandshake.NonceSize, ClusterHandshake.ProofSize);
            if (!ClusterHandshake.VerifyClientProof(_settings.Key, siloNonce, clientNonce, clientProof))
            {
                HandshakeFailed("bad_secret", "the client did not prove the cluster secret");
                WriteStatus(output, HandshakeStatus.BadSecret, default);
                await output.FlushAsync(deadline.Token).ConfigureAwait(false);
                return false;
            }
            var siloProof = new byte[ClusterHandshake.ProofSize];
            ClusterHandshake.ComputeSiloProof(_settings.Key, siloNonce, clientNonce, siloProof);
            WriteStatus(output, HandshakeStatus.Ok, siloProof);
            await output.FlushAsync(deadline.Token).ConfigureAwait(false);
            // Disposing waits for a deadline callback already running: if it ran, a canceled read is pending
            // and would end the frame loop, so a handshake that finished right at the deadline counts as late.
            onDeadline.Dispose();
            return !deadline.IsCancellationRequested || Aborted(deadline, closeRequested);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return Aborted(deadline, closeRequested);
        }
    }

    /// <summary>The handshake stopped early: counts <c>timeout</c> or <c>incomplete</c> (not a stopping silo); always false.</summary>
    private bool Aborted(CancellationTokenSource deadline, CancellationToken closeRequested)
    {
        if (deadline.IsCancellationRequested)
            HandshakeFailed("timeout", $"no complete handshake within {(int)_settings.HandshakeTimeout.TotalMilliseconds} ms");
        else if (!closeRequested.IsCancellationRequested)
            HandshakeFailed("incomplete", "the peer closed the connection during the handshake");
        return false;
    }

    private void HandshakeFailed(string reason, string detail)
    {
        _settings.Metrics.HandshakeFailed(reason);
        TransportLog.HandshakeFailed(_logger, _connection.RemoteEndPoint, reason, detail);
    }

    /// <summary>Writes a status byte and 32 bytes (zeros when <paramref name="body"/> is empty): a challenge or a verdict.</summary>
    private static void WriteStatus(PipeWriter output, HandshakeStatus status, ReadOnlySpan<byte> body)
    {
        var span = output.GetSpan(ClusterHandshake.ChallengeSize)[..ClusterHandshake.ChallengeSize];
        span.Clear();
        span[0] = (byte)status;
        body.CopyTo(span[1..]);
        output.Advance(ClusterHandshake.ChallengeSize);
    }

    private async Task<bool> ReadPreambleAsync(PipeReader input)
    {
        while (true)
        {
            var result = await input.ReadAsync(_closing.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (FrameCodec.TryReadPreamble(ref buffer))
            {
                input.AdvanceTo(buffer.Start);
                return true;
            }
            if (result.IsCompleted || result.IsCanceled)
            {
                input.AdvanceTo(buffer.End);
                return false;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private async Task ReadFramesAsync(PipeReader input)
    {
        while (true)
        {
            var result = await input.ReadAsync(_closing.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            while (FrameCodec.TryReadFrame(ref buffer, _maxFrameBytes, out var header, out var payload))
                OnFrame(header, payload);
            if (result.IsCompleted || result.IsCanceled)
            {
                // A frame cut short by the close is dropped: the client is gone anyway.
                input.AdvanceTo(buffer.End);
                return;
            }
            if (FrameCodec.TryReadHeader(buffer, _maxFrameBytes, out var large) && large.PayloadLength >= AssembleThreshold)
            {
                // Copy a large frame out piece by piece, so the transport's pipe (whose pause
                // threshold may be below the frame cap) never has to hold it whole.
                if (!await AssembleAsync(input, buffer, large).ConfigureAwait(false))
                    return;
                continue;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private async Task<bool> AssembleAsync(PipeReader input, ReadOnlySequence<byte> buffer, FrameHeader header)
    {
        var total = header.PayloadLength;
        var array = ArrayPool<byte>.Shared.Rent(total);
        var first = buffer.Slice(FrameHeader.Size);
        var copied = (int)first.Length; // the frame is incomplete, so all of it belongs to the frame
        first.CopyTo(array);
        input.AdvanceTo(first.End);
        while (copied < total)
        {
            var result = await input.ReadAsync(_closing.Token).ConfigureAwait(false);
            var part = result.Buffer;
            var take = (int)Math.Min(part.Length, total - copied);
            part.Slice(0, take).CopyTo(array.AsSpan(copied));
            copied += take;
            input.AdvanceTo(part.GetPosition(take));
            if (copied < total && (result.IsCompleted || result.IsCanceled))
            {
                ArrayPool<byte>.Shared.Return(array);
                return false;
            }
        }
        if (header.Kind is FrameKind.Request or FrameKind.OneWay)
        {
            OnCall(header, array, total);
        }
        else
        {
            ArrayPool<byte>.Shared.Return(array);
            OnControlFrame(header);
        }
        return true;
    }

    private void OnFrame(in FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        if (header.Kind is FrameKind.Request or FrameKind.OneWay)
        {
            // Copy the arguments out of the pipe's buffer: the call outlives this read.
            var length = (int)payload.Length;
            var array = ArrayPool<byte>.Shared.Rent(length);
            payload.CopyTo(array);
            OnCall(header, array, length);
            return;
        }
        OnControlFrame(header);
    }

    private void OnControlFrame(in FrameHeader header)
    {
        switch (header.Kind)
        {
            case FrameKind.Ping:
                Enqueue(new OutboundFrame(FrameKind.Pong, header.RequestId, _callHandler.ViewVersion, null));
                break;
            case FrameKind.Pong:
                break;
            default:
                throw new FrameFormatException($"A client may not send {header.Kind} frames.");
        }
    }

    /// <summary>
    /// Starts one call; takes ownership of <paramref name="array"/> (returned to the pool when the
    /// call ends). A call whose grain has a live activation runs without decoding the grain id
    /// (<see cref="IUtf8IncomingCallHandler"/>); a call that completes synchronously (an idle
    /// activation, a grain method that does not wait) is answered right here, with no state machine.
    /// </summary>
    private void OnCall(in FrameHeader header, byte[] array, int length)
    {
        var payload = array.AsSpan(0, length);
        var raw = GrainRequestHeader.TryReadUtf8(payload, out var utf8Id, out var methodId, out var argumentsStart);
        GrainRequestHeader request = default;
        if (!raw && !TryDecode(header, array, length, out request, out argumentsStart))
            return;

        if (Interlocked.Increment(ref _inFlight) > _maxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            ArrayPool<byte>.Shared.Return(array);
            _settings.Metrics.LimitHit("max_in_flight_per_connection");
            TransportLog.Overloaded(_logger, _connection.RemoteEndPoint, _maxInFlight);
            if (header.Kind == FrameKind.Request)
                EnqueueError(header.RequestId, "overloaded", $"More than {_maxInFlight} calls in flight on this connection.");
            return;
        }

        var arguments = array.AsMemory(argumentsStart, length - argumentsStart);
        var result = PooledBufferWriter.Rent();
        ValueTask<CallOutcome> pending;
        GrainId grainId;
        try
        {
            if (!raw || _utf8Handler is null || !_utf8Handler.TryHandleUtf8(utf8Id, methodId, arguments, header.ViewVersion, result, out grainId, out pending))
            {
                if (raw && !TryDecode(header, array, length, out request, out _))
                {
                    Interlocked.Decrement(ref _inFlight);
                    PooledBufferWriter.Return(result);
                    return;
                }
                grainId = request.GrainId;
                methodId = request.MethodId;
                pending = _callHandler.HandleAsync(request, arguments, header.ViewVersion, result, _closing.Token);
            }
        }
        catch (Exception e)
        {
            pending = new ValueTask<CallOutcome>(Failure(e, request.GrainId, request.MethodId));
            grainId = default;
        }

        if (pending.IsCompletedSuccessfully)
            EndCall(header.Kind, header.RequestId, pending.Result, array, result);
        else
            _ = AwaitCallAsync(pending, header.Kind, header.RequestId, grainId, methodId, array, result);
    }

    /// <summary>Decodes the request header; on failure returns <paramref name="array"/> and answers <c>bad_request</c>.</summary>
    private bool TryDecode(in FrameHeader header, byte[] array, int length, out GrainRequestHeader request, out int argumentsStart)
    {
        try
        {
            var reader = new GrainReader(array.AsSpan(0, length));
            request = GrainRequestHeader.Read(ref reader);
            argumentsStart = length - reader.Remaining;
            return true;
        }
        catch (GrainSerializationException e)
        {
            ArrayPool<byte>.Shared.Return(array);
            if (header.Kind == FrameKind.Request)
                EnqueueError(header.RequestId, "bad_request", e.Message);
            request = default;
            argumentsStart = 0;
            return false;
        }
    }

    private async Task AwaitCallAsync(ValueTask<CallOutcome> pending, FrameKind kind, uint requestId, GrainId grainId, ushort methodId, byte[] array, PooledBufferWriter result)
    {
        CallOutcome outcome;
        try
        {
            outcome = await pending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            outcome = Failure(e, grainId, methodId);
        }
        EndCall(kind, requestId, outcome, array, result);
    }

    private CallOutcome Failure(Exception e, GrainId grainId, ushort methodId)
    {
        if (e is OperationCanceledException && _closing.IsCancellationRequested)
            return CallOutcome.Failed("shutting_down", "The connection closed.");
        TransportLog.HandlerThrew(_logger, grainId, methodId, e);
        return CallOutcome.Failed("grain_error", e.Message);
    }

    private void EndCall(FrameKind kind, uint requestId, in CallOutcome outcome, byte[] array, PooledBufferWriter result)
    {
        ArrayPool<byte>.Shared.Return(array);
        Interlocked.Decrement(ref _inFlight);
        if (kind == FrameKind.OneWay || _closing.IsCancellationRequested)
        {
            PooledBufferWriter.Return(result);
            return;
        }
        Enqueue(Answer(requestId, outcome, result));
    }

    private OutboundFrame Answer(uint requestId, in CallOutcome outcome, PooledBufferWriter result)
    {
        var view = _callHandler.ViewVersion;
        switch (outcome.Kind)
        {
            case CallOutcomeKind.Ok when FrameHeader.FixedSizeAfterLength + result.WrittenCount <= _maxFrameBytes:
                return new OutboundFrame(FrameKind.Response, requestId, view, result);
            case CallOutcomeKind.Ok:
                var size = result.WrittenCount;
                result.Clear();
                CallError.Write(new GrainWriter(result), new CallError("grain_error", $"The result of {size} bytes exceeds the frame cap of {_maxFrameBytes} bytes."));
                return new OutboundFrame(FrameKind.Error, requestId, view, result);
            case CallOutcomeKind.WrongSilo:
                result.Clear();
                WrongSiloPayload.Write(new GrainWriter(result), new WrongSiloPayload(outcome.OwnerEndpoint));
                return new OutboundFrame(FrameKind.WrongSilo, requestId, view, result);
            default:
                result.Clear();
                var error = outcome.Error;
                CallError.Write(new GrainWriter(result), new CallError(error.Code ?? "grain_error", error.Message ?? ""));
                return new OutboundFrame(FrameKind.Error, requestId, view, result);
        }
    }

    private void EnqueueError(uint requestId, string code, string message)
    {
        var payload = PooledBufferWriter.Rent();
        CallError.Write(new GrainWriter(payload), new CallError(code, message));
        Enqueue(new OutboundFrame(FrameKind.Error, requestId, _callHandler.ViewVersion, payload));
    }

    private void Enqueue(in OutboundFrame frame)
    {
        if (!_outbound.Writer.TryWrite(frame) && frame.Payload is { } payload)
            PooledBufferWriter.Return(payload);
    }

    private async Task WriteLoopAsync()
    {
        await Task.Yield();
        var output = _connection.Transport.Output;
        var reader = _outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    if (_discardOutput)
                    {
                        if (frame.Payload is { } dropped)
                            PooledBufferWriter.Return(dropped);
                        continue;
                    }
                    var payload = frame.Payload;
                    FrameCodec.WriteFrame(output, frame.Kind, frame.RequestId, frame.ViewVersion, payload is null ? default : payload.WrittenSpan, _maxFrameBytes);
                    if (payload is not null)
                        PooledBufferWriter.Return(payload);
                    if (output.CanGetUnflushedBytes && output.UnflushedBytes >= FlushThresholdBytes)
                    {
                        var partial = await output.FlushAsync(_connection.ConnectionClosed).ConfigureAwait(false);
                        if (partial.IsCompleted || partial.IsCanceled)
                            return;
                    }
                }
                // The queue is momentarily empty: one flush for the whole batch.
                var flushed = await output.FlushAsync(_connection.ConnectionClosed).ConfigureAwait(false);
                if (flushed.IsCompleted || flushed.IsCanceled)
                    return;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ConnectionResetException or ConnectionAbortedException or InvalidOperationException)
        {
            // The connection broke; the read loop sees it too.
        }
        catch (Exception e)
        {
            // Nothing can be answered any more: end the connection so the client fails fast and reconnects.
            TransportLog.InboundFailed(_logger, _connection.RemoteEndPoint, e);
            _connection.Abort(new ConnectionAbortedException("The grain port's writer failed.", e));
        }
        finally
        {
            _outbound.Writer.TryComplete();
            while (reader.TryRead(out var left))
            {
                if (left.Payload is { } payload)
                    PooledBufferWriter.Return(payload);
            }
        }
    }
}
