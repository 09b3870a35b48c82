using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Granary.Runtime.Hosting;
using Granary.Runtime.Invocation;
using Granary.Runtime.Membership;
using Granary.Runtime.Messaging;
using Granary.Runtime.Placement;
using Granary.Runtime.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Runtime.Transport;

/// <summary>
/// The grain client of a gateway: routes each call to the grain's owner by rendezvous placement
/// over the current membership view (<see cref="RendezvousPlacement.SelectOwner"/>), over one
/// lasting <see cref="SiloConnection"/> per silo endpoint (made lazily, kept). Each frame carries
/// the caller's view version; a <see cref="FrameKind.WrongSilo"/> answer is followed to the owner
/// it names, or the view is re-read, at most <see cref="MaxRetries"/> times, then the call fails
/// with <see cref="GrainCallException"/> code <c>not_owner</c>.
/// </summary>
internal sealed class ClusterClient : IClusterClient, IGrainCallInvoker, IAsyncDisposable, IDisposable
{
    /// <summary>Retries after <see cref="FrameKind.WrongSilo"/> answers before a call fails with <c>not_owner</c>.</summary>
    public const int MaxRetries = 2;

    private readonly GrainFactory _factory;
    private readonly IMembershipViewProvider _views;
    private readonly ClientOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ClientMetrics _metrics;
    private readonly ConcurrentDictionary<string, SiloConnection> _connections = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private SiloConnection[] _connectionList = [];
    private RouteTable _routes = new(MembershipView.Empty);
    private long _sentCalls;
    private long _failedCalls;
    private int _disposed;

    /// <summary>Creates the client; connections are made by <see cref="Start"/> or on first use.</summary>
    public ClusterClient(
        GrainInterfaceRegistry registry,
        IMembershipViewProvider views,
        ClientOptions options,
        TimeProvider? time = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(options);
        _factory = new GrainFactory(registry, this);
        _views = views;
        _options = options;
        _time = time ?? TimeProvider.System;
        _random = random ?? Random.Shared;
        _loggers = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger("Granary.Runtime.Transport.ClusterClient");
        _metrics = new ClientMetrics(meterFactory);
        _views.ViewChanged += OnViewChanged;
    }

    /// <inheritdoc />
    public bool IsConnected
    {
        get
        {
            foreach (var connection in Volatile.Read(ref _connectionList))
            {
                if (connection.IsConnected)
                    return true;
            }
            return false;
        }
    }

    /// <inheritdoc />
    public long FailedCalls => Interlocked.Read(ref _failedCalls);

    /// <inheritdoc />
    public long SentCalls => Interlocked.Read(ref _sentCalls);

    /// <summary>The connection to <paramref name="endpoint"/>, if one was made.</summary>
    internal SiloConnection? FindConnection(string endpoint) => _connections.GetValueOrDefault(endpoint);

    /// <summary>Starts connecting to every silo of the current view (in the background).</summary>
    public void Start()
    {
        foreach (var silo in _views.Current.ActiveSilos)
            GetConnection(silo.Endpoint);
    }

    /// <summary>
    /// Starts connecting (<see cref="Start"/>) and waits, at most the connect deadline plus 1 s, for the
    /// first attempt on every silo of the current view. Fails when at least one silo refused the cluster
    /// secret and none accepted it: a gateway with the wrong secret then stops at start-up with the
    /// message, instead of failing every call later. Unreachable silos do not fail the start (they may
    /// come later); a warning is logged when no secret is configured.
    /// </summary>
    /// <exception cref="ClusterAuthenticationException">No silo accepted the secret and at least one refused it (the message names the grain port).</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(_options.ClusterSecret))
            TransportLog.ClientUnauthenticated(_logger);
        Start();
        var connections = Volatile.Read(ref _connectionList);
        if (connections.Length == 0)
            return;
        var wait = TimeSpan.FromMilliseconds(Math.Max(_options.CallTimeoutMs, 1000) + 1000);
        try
        {
            await Task.WhenAll(connections.Select(c => c.FirstAttempt)).WaitAsync(wait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Some silo is slow to answer: not a reason to fail the start.
        }
        if (connections.Any(c => c.IsConnected))
            return;
        if (connections.Select(c => c.AuthenticationFailure).FirstOrDefault(f => f is not null) is { } refused)
            throw new ClusterAuthenticationException(refused.Endpoint, refused.Reason, refused.Message);
    }

    /// <inheritdoc />
    public TGrain GetGrain<TGrain>(string key) where TGrain : class, IGrain => _factory.GetGrain<TGrain>(key);

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<TResult> InvokeAsync<TRequest, TResult>(GrainId grainId, ushort methodId, TRequest request, CancellationToken cancellationToken = default)
        where TRequest : IGrainCodec<TRequest>
        where TResult : IGrainCodec<TResult>
    {
        Interlocked.Increment(ref _sentCalls);
        _metrics.Calls.Add(1);
        var started = _metrics.Duration.Enabled ? Stopwatch.GetTimestamp() : 0;
        try
        {
            var view = _views.Current;
            string? redirect = null;
            for (var attempt = 0; ; attempt++)
            {
                var connection = Route(grainId, view, redirect);
                var payload = Encode(grainId, methodId, request);
                var response = await connection.SendAsync(view.Version, payload, cancellationToken).ConfigureAwait(false);
                // [pg-membership] A silo that knows a newer view, or redirects us: ask the provider to re-read early.
                if (response.ViewVersion > view.Version || response.Kind == FrameKind.WrongSilo)
                    (_views as IMembershipViewRefresher)?.RequestRefresh();
                try
                {
                    switch (response.Kind)
                    {
                        case FrameKind.Response:
                            return Decode<TResult>(response.Payload);
                        case FrameKind.WrongSilo:
                            var owner = Decode<WrongSiloPayload>(response.Payload).OwnerEndpoint;
                            if (attempt >= MaxRetries)
                                throw new GrainCallException("not_owner", $"Silo {connection.Endpoint} does not own {grainId} (owner: {owner ?? "unknown"}) after {MaxRetries} retries.");
                            redirect = ValidRedirect(connection.Endpoint, grainId, owner);
                            if (redirect is null)
                                view = _views.Current;
                            break;
                        default:
                            var error = Decode<CallError>(response.Payload);
                            throw new GrainCallException(error.Code, error.Message);
                    }
                }
                finally
                {
                    response.Release();
                }
            }
        }
        catch (Exception e) when (RecordFailure(e))
        {
            throw; // Not reached: the filter only counts.
        }
        finally
        {
            if (started != 0)
                _metrics.Duration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <inheritdoc />
    public void InvokeOneWay<TRequest>(GrainId grainId, ushort methodId, TRequest request)
        where TRequest : IGrainCodec<TRequest>
    {
        Interlocked.Increment(ref _sentCalls);
        _metrics.Calls.Add(1);
        try
        {
            var view = _views.Current;
            var connection = Route(grainId, view, null);
            if (!connection.TrySendOneWay(view.Version, Encode(grainId, methodId, request)))
            {
                Interlocked.Increment(ref _failedCalls);
                _metrics.Failed("unavailable");
            }
        }
        catch (Exception e) when (e is SiloUnavailableException or GrainCallException or GrainSerializationException)
        {
            RecordFailure(e);
        }
    }

    /// <summary>Stops every connection gracefully: queued frames are sent, pending answers awaited briefly.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _views.ViewChanged -= OnViewChanged;
        SiloConnection[] connections;
        lock (_gate)
        {
            connections = _connectionList;
            _connectionList = [];
            _connections.Clear();
        }
        await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
        _metrics.Dispose();
    }

    /// <summary>
    /// Synchronous form of <see cref="DisposeAsync"/> (blocks), so a service provider disposed with
    /// <c>Dispose()</c> does not throw for an async-only singleton.
    /// </summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private SiloConnection Route(GrainId grainId, MembershipView view, string? redirect)
    {
        if (redirect is not null)
            return GetConnection(redirect);
        var table = _routes;
        if (!ReferenceEquals(table.View, view))
            _routes = table = new RouteTable(view);
        var silos = table.Silos;
        if (silos.Length == 0)
            throw new SiloUnavailableException($"No silo is active in membership view {view.Version}.");
        var index = silos.Length == 1 ? 0 : RendezvousPlacement.SelectOwnerIndex(RendezvousPlacement.HashGrain(grainId), table.SiloHashes, silos);
        // The connection is cached per view; a connection dropped since (its silo left a later view)
        // or a disposed client takes the slow path, as before.
        if (table.Connections[index] is { IsDisposed: false } cached && Volatile.Read(ref _disposed) == 0)
            return cached;
        return table.Connections[index] = GetConnection(table.Endpoints[index]);
    }

    private SiloConnection GetConnection(string endpoint)
    {
        if (_connections.TryGetValue(endpoint, out var connection))
            return connection;
        lock (_gate)
        {
            if (Volatile.Read(ref _disposed) != 0)
                throw new SiloUnavailableException("The grain client is shutting down.");
            if (_connections.TryGetValue(endpoint, out connection))
                return connection;
            connection = new SiloConnection(endpoint, _options, _time, _random, _loggers.CreateLogger("Granary.Runtime.Transport.SiloConnection"), _metrics);
            _connections[endpoint] = connection;
            _connectionList = [.. _connectionList, connection];
            return connection;
        }
    }

    private void OnViewChanged(MembershipView view)
    {
        if (Volatile.Read(ref _disposed) != 0)
            return;
        var live = view.ActiveSilos.Select(s => s.Endpoint).ToHashSet(StringComparer.Ordinal);
        List<SiloConnection> gone = [];
        lock (_gate)
        {
            foreach (var connection in _connectionList)
            {
                if (!live.Contains(connection.Endpoint) && _connections.TryRemove(connection.Endpoint, out _))
                    gone.Add(connection);
            }
            if (gone.Count > 0)
                _connectionList = [.. _connectionList.Except(gone)];
        }
        foreach (var connection in gone)
            _ = connection.DisposeAsync().AsTask();
        foreach (var endpoint in live)
            GetConnection(endpoint);
    }

    private string? ValidRedirect(string from, GrainId grainId, string? owner)
    {
        if (owner is null)
            return null;
        try
        {
            return SiloAddress.Parse(owner).Endpoint;
        }
        catch (FormatException)
        {
            TransportLog.BadRedirect(_logger, from, grainId, owner);
            return null;
        }
    }

    private PooledBufferWriter Encode<TRequest>(GrainId grainId, ushort methodId, TRequest request)
        where TRequest : IGrainCodec<TRequest>
    {
        var payload = PooledBufferWriter.Rent();
        try
        {
            var writer = new GrainWriter(payload);
            GrainRequestHeader.Write(writer, new GrainRequestHeader(grainId, methodId));
            TRequest.Write(writer, request);
        }
        catch
        {
            PooledBufferWriter.Return(payload);
            throw;
        }
        if (FrameHeader.FixedSizeAfterLength + payload.WrittenCount > _options.MaxFrameBytes)
        {
            var size = payload.WrittenCount;
            PooledBufferWriter.Return(payload);
            _metrics.LimitHit("max_frame_bytes");
            throw new GrainCallException("bad_request", $"The call to {grainId} encodes to {size} bytes, above the frame cap of {_options.MaxFrameBytes} bytes.");
        }
        return payload;
    }

    private static T Decode<T>(ReadOnlySpan<byte> payload) where T : IGrainCodec<T>
    {
        var reader = new GrainReader(payload);
        return T.Read(ref reader);
    }

    /// <summary>
    /// One view's silos prepared for routing: endpoints and placement hashes computed once, and the
    /// connection to each silo cached, so routing a call builds no strings and boxes nothing.
    /// </summary>
    private sealed class RouteTable
    {
        public RouteTable(MembershipView view)
        {
            View = view;
            Silos = [.. view.ActiveSilos];
            Endpoints = [.. Silos.Select(s => s.Endpoint)];
            SiloHashes = [.. Silos.Select(RendezvousPlacement.HashSilo)];
            Connections = new SiloConnection?[Silos.Length];
        }

        public MembershipView View { get; }

        public SiloAddress[] Silos { get; }

        public string[] Endpoints { get; }

        public ulong[] SiloHashes { get; }

        public SiloConnection?[] Connections { get; }
    }

    /// <summary>Counts a failure; always false, so it can run as an exception filter without catching.</summary>
    private bool RecordFailure(Exception e)
    {
        switch (e)
        {
            case TimeoutException:
                Interlocked.Increment(ref _failedCalls);
                _metrics.Failed("timeout");
                break;
            case SiloUnavailableException:
                Interlocked.Increment(ref _failedCalls);
                _metrics.Failed("unavailable");
                break;
            case GrainCallException g:
                _metrics.Failed(g.Code);
                break;
            case OperationCanceledException:
                _metrics.Failed("canceled");
                break;
            default:
                _metrics.Failed(e.GetType().Name);
                break;
        }
        return false;
    }
}
