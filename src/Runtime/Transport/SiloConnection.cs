using System.Net;
using Granary.Runtime.Hosting;
using Granary.Runtime.Invocation;
using Granary.Runtime.Membership;
using Granary.Runtime.Messaging;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Transport;

/// <summary>
/// A client's lasting link to one silo endpoint: keeps one <see cref="ClientSession"/> open,
/// reconnecting after a loss with exponential backoff (<see cref="ClientOptions.ReconnectMinDelayMs"/>
/// doubling up to <see cref="ClientOptions.ReconnectMaxDelayMs"/>, ±20 % jitter). Calls made while
/// disconnected fail at once with <see cref="SiloUnavailableException"/> (nothing is queued), except
/// during the very first connect, which they wait for (bounded by the call deadline).
/// One timer per connection, every <see cref="SweepPeriod"/>, enforces call deadlines
/// (<see cref="TimeoutException"/>) and sends a keep-alive ping after <see cref="PingInterval"/> of
/// silence; a silo silent for <see cref="DeadAfter"/> is treated as gone.
/// </summary>
internal sealed class SiloConnection : IAsyncDisposable
{
    /// <summary>How often deadlines are checked.</summary>
    public static readonly TimeSpan SweepPeriod = TimeSpan.FromMilliseconds(10);

    /// <summary>Silence after which a ping is sent.</summary>
    public static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(5);

    /// <summary>Silence after which the connection is dropped and re-made.</summary>
    public static readonly TimeSpan DeadAfter = TimeSpan.FromSeconds(15);

    private readonly EndPoint _remote;
    private readonly ClientOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly ClientMetrics? _metrics;
    private readonly byte[] _key;
    private readonly long _timeoutTicks;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITimer _timer;
    private readonly Task _run;
    private volatile ClientSession? _session;
    private volatile ClusterAuthenticationException? _authenticationFailure;
    private int _nextRequestId;
    private int _ticking;
    private int _disposed;

    /// <summary>Creates the connection and starts connecting in the background.</summary>
    /// <param name="endpoint">The silo's grain endpoint, <c>host:port</c>.</param>
    /// <param name="options">Client options (deadline, frame cap, backoff).</param>
    /// <param name="time">Clock for deadlines, backoff and pings.</param>
    /// <param name="random">Jitter source.</param>
    /// <param name="logger">Connection events.</param>
    /// <param name="metrics">Where handshake failures and limit hits are counted; none when null.</param>
    /// <exception cref="FormatException"><paramref name="endpoint"/> is not <c>host:port</c>.</exception>
    public SiloConnection(string endpoint, ClientOptions options, TimeProvider time, Random random, ILogger logger, ClientMetrics? metrics = null)
    {
        _metrics = metrics;
        _key = ClusterHandshake.DeriveKey(options.ClusterSecret);
        var address = SiloAddress.Parse(endpoint);
        Endpoint = address.Endpoint;
        _remote = IPAddress.TryParse(address.Host, out var ip) ? new IPEndPoint(ip, address.Port) : new DnsEndPoint(address.Host, address.Port);
        _options = options;
        _time = time;
        _random = random;
        _logger = logger;
        _timeoutTicks = (long)(options.CallTimeoutMs / 1000.0 * time.TimestampFrequency);
        _timer = time.CreateTimer(static state => ((SiloConnection)state!).OnTick(), this, SweepPeriod, SweepPeriod);
        _run = Task.Run(RunAsync);
    }

    /// <summary>The silo's grain endpoint, <c>host:port</c>.</summary>
    public string Endpoint { get; }

    /// <summary>True while a session is open.</summary>
    public bool IsConnected => _session is { IsOpen: true };

    /// <summary>True once <see cref="DisposeAsync"/> has started.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Completes when the first connection attempt (handshake included) has succeeded or failed.</summary>
    public Task FirstAttempt => _firstAttempt.Task;

    /// <summary>Why the last connection attempt failed on the cluster secret; null after a successful handshake or another failure.</summary>
    public ClusterAuthenticationException? AuthenticationFailure => _authenticationFailure;

    /// <summary>Sessions opened so far (1 after the first connect; grows with each reconnect).</summary>
    public int SessionsOpened { get; private set; }

    /// <summary>
    /// Sends a request frame and waits for its answer. Takes ownership of <paramref name="payload"/>
    /// (returned to its pool in every case).
    /// </summary>
    /// <exception cref="SiloUnavailableException">Not connected, or the connection broke before the answer.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="ClientOptions.CallTimeoutMs"/>.</exception>
    /// <exception cref="GrainCallException">Code <c>overloaded</c>: too many calls pending on this connection.</exception>
    public ValueTask<ResponseFrame> SendAsync(long viewVersion, PooledBufferWriter payload, CancellationToken cancellationToken)
    {
        var session = _session;
        if (session is null || !session.IsOpen)
        {
            if (!_firstAttempt.Task.IsCompleted && Volatile.Read(ref _disposed) == 0)
                return SendAfterFirstConnectAsync(viewVersion, payload, cancellationToken);
            PooledBufferWriter.Return(payload);
            return ValueTask.FromException<ResponseFrame>(Unavailable());
        }

        var call = PendingCall.Rent(NextRequestId(), _time.GetTimestamp() + _timeoutTicks, session);
        var version = call.Version;
        var requestId = call.RequestId;
        switch (session.TryAddPending(call))
        {
            case PendingAddResult.Full:
                PooledBufferWriter.Return(payload);
                _metrics?.LimitHit("max_pending_calls");
                call.SetException(new GrainCallException("overloaded", $"More than {_options.MaxPendingCalls} calls are waiting for silo {Endpoint} (Granary:Client:MaxPendingCalls)."));
                return new ValueTask<ResponseFrame>(call, version);
            case PendingAddResult.IdInUse:
                // Only after 2^32 calls with one still pending; treat as a transient failure.
                PooledBufferWriter.Return(payload);
                call.SetException(new GrainCallException("overloaded", $"Request id {requestId} to silo {Endpoint} is still in use."));
                return new ValueTask<ResponseFrame>(call, version);
        }
        if (!session.TryEnqueue(new OutboundFrame(FrameKind.Request, requestId, viewVersion, payload)) && session.TryRemovePending(requestId, call))
            call.SetException(Unavailable());
        // Before returning: nobody can await (and recycle) the call until this method returns.
        call.RegisterCancellation(cancellationToken);
        return new ValueTask<ResponseFrame>(call, version);
    }

    /// <summary>Queues a one-way frame; false when not connected. Takes ownership of <paramref name="payload"/>.</summary>
    public bool TrySendOneWay(long viewVersion, PooledBufferWriter payload)
    {
        var session = _session;
        if (session is null || !session.IsOpen)
        {
            PooledBufferWriter.Return(payload);
            return false;
        }
        return session.TryEnqueue(new OutboundFrame(FrameKind.OneWay, 0, viewVersion, payload));
    }

    /// <summary>Waits until a session is open or <paramref name="timeout"/> passes; true when connected.</summary>
    public async Task<bool> WaitConnectedAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        while (!IsConnected)
        {
            if (_time.GetElapsedTime(started) >= timeout || Volatile.Read(ref _disposed) != 0)
                return false;
            await Task.Delay(TimeSpan.FromMilliseconds(5), _time, cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>Stops reconnecting, sends what is queued, waits briefly for pending answers and closes.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _stopping.Cancel();
        var session = _session;
        if (session is not null)
            await session.DrainAndCloseAsync(TimeSpan.FromMilliseconds(Math.Min(_options.CallTimeoutMs, 2000))).ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        await _timer.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async ValueTask<ResponseFrame> SendAfterFirstConnectAsync(long viewVersion, PooledBufferWriter payload, CancellationToken cancellationToken)
    {
        try
        {
            await _firstAttempt.Task.WaitAsync(TimeSpan.FromMilliseconds(_options.CallTimeoutMs), _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            PooledBufferWriter.Return(payload);
            throw new TimeoutException($"Silo {Endpoint} was not connected within the call deadline of {_options.CallTimeoutMs} ms.");
        }
        catch
        {
            PooledBufferWriter.Return(payload);
            throw;
        }
        var session = _session;
        if (session is null || !session.IsOpen)
        {
            PooledBufferWriter.Return(payload);
            throw Unavailable();
        }
        return await SendAsync(viewVersion, payload, cancellationToken).ConfigureAwait(false);
    }

    private uint NextRequestId()
    {
        var id = (uint)Interlocked.Increment(ref _nextRequestId);
        return id != 0 ? id : (uint)Interlocked.Increment(ref _nextRequestId);
    }

    private SiloUnavailableException Unavailable() =>
        Volatile.Read(ref _disposed) != 0
            ? new SiloUnavailableException($"The connection to silo {Endpoint} is closed: the client is shutting down.")
            : _authenticationFailure is { } refused
                ? new SiloUnavailableException($"Silo {Endpoint} is not connected: {refused.Message}")
                : new SiloUnavailableException($"Silo {Endpoint} is not connected; reconnecting.");

    private async Task RunAsync()
    {
        var token = _stopping.Token;
        var delayMs = _options.ReconnectMinDelayMs;
        while (!token.IsCancellationRequested)
        {
            ClientSession? session = null;
            try
            {
                using var connectTimeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(Math.Max(_options.CallTimeoutMs, 1000)), _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, connectTimeout.Token);
                session = await ClientSession.ConnectAsync(_remote, Endpoint, _options.MaxFrameBytes, _options.MaxPendingCalls, _key, _time, linked.Token).ConfigureAwait(false);
                _authenticationFailure = null;
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (ClusterAuthenticationException e)
            {
                // A secret does not fix itself quickly: retry at the slowest pace, loudly.
                _authenticationFailure = e;
                _metrics?.HandshakeFailed(e.Reason);
                delayMs = _options.ReconnectMaxDelayMs;
                TransportLog.AuthenticationFailed(_logger, Endpoint, e.Message);
            }
            catch (Exception e)
            {
                _authenticationFailure = null;
                if (e is GrainHandshakeException handshake)
                    _metrics?.HandshakeFailed(handshake.Reason);
                TransportLog.ConnectFailed(_logger, Endpoint, delayMs, e.Message);
            }

            if (session is not null)
            {
                SessionsOpened++;
                _session = session;
                TransportLog.Connected(_logger, Endpoint);
                _firstAttempt.TrySetResult();
                if (Volatile.Read(ref _disposed) != 0)
                {
                    // Disposed while connecting: DisposeAsync may have missed this session.
                    session.Close("the client is shutting down");
                }
                var reason = await session.Closed.ConfigureAwait(false);
                if (token.IsCancellationRequested)
                    break;
                TransportLog.ConnectionLost(_logger, Endpoint, reason);
                delayMs = _options.ReconnectMinDelayMs;
            }
            _firstAttempt.TrySetResult();

            try
            {
                var jittered = delayMs * (0.8 + 0.4 * _random.NextDouble());
                await Task.Delay(TimeSpan.FromMilliseconds(jittered), _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (session is null)
                delayMs = Math.Min(delayMs * 2, _options.ReconnectMaxDelayMs);
        }
        _firstAttempt.TrySetResult();
    }

    private void OnTick()
    {
        if (Interlocked.Exchange(ref _ticking, 1) != 0)
            return;
        try
        {
            var session = _session;
            if (session is null || !session.IsOpen)
                return;
            var now = _time.GetTimestamp();
            if (session.PendingCount > 0)
                session.ExpireOverdue(now, _options.CallTimeoutMs);
            var silence = _time.GetElapsedTime(session.LastReceived, now);
            if (silence >= DeadAfter)
            {
                session.Close($"no data for {(int)silence.TotalSeconds} s");
            }
            else if (silence >= PingInterval && _time.GetElapsedTime(session.LastPingSent, now) >= PingInterval)
            {
                session.LastPingSent = now;
                session.TryEnqueue(new OutboundFrame(FrameKind.Ping, 0, 0, null));
            }
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }
}
