using System.Diagnostics.Metrics;
using Granary.Runtime.Hosting;
using Granary.Runtime.Messaging;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Runtime.Transport;

/// <summary>
/// Kestrel connection handler of a silo's grain port: one <see cref="InboundConnection"/> per
/// accepted connection, at most <see cref="SiloOptions.MaxConnections"/> at once (one more is refused
/// with <see cref="HandshakeStatus.TooManyConnections"/>). The cluster secret is
/// <see cref="SiloOptions.ClusterSecret"/>, else <c>Granary:ClusterSecret</c> from the host's
/// configuration. The <see cref="IIncomingCallHandler"/> (the catalog) is resolved from DI on the first
/// connection, so the handler can be built while Kestrel's options are configured.
/// </summary>
internal sealed class SiloConnectionHandler : ConnectionHandler
{
    private readonly IServiceProvider _services;
    private readonly InboundSettings _settings;
    private readonly int _maxConnections;
    private readonly ILogger _logger;
    private IIncomingCallHandler? _callHandler;
    private int _open;

    /// <summary>Creates the handler.</summary>
    /// <param name="services">Where <see cref="IIncomingCallHandler"/>, <see cref="ILoggerFactory"/>, <see cref="TimeProvider"/>, <see cref="IMeterFactory"/> and <see cref="IConfiguration"/> come from.</param>
    /// <param name="options">The silo options (limits, secret, host).</param>
    /// <param name="maxInFlightPerConnection">Cap on concurrent calls per connection; default <see cref="SiloOptions.MaxInFlightPerConnection"/>.</param>
    /// <exception cref="InvalidOperationException">The grain port binds beyond loopback and no cluster secret is configured (<see cref="SiloOptions.ValidateGrainPortSecurity"/>).</exception>
    public SiloConnectionHandler(IServiceProvider services, SiloOptions options, int? maxInFlightPerConnection = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var maxInFlight = maxInFlightPerConnection ?? options.MaxInFlightPerConnection;
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        _services = services;
        _maxConnections = options.MaxConnections;
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("Granary.Runtime.Transport.SiloConnectionHandler");
        var secret = ResolveSecret(options.ClusterSecret, services);
        if (options.ValidateGrainPortSecurity(secret) is { } problem)
            throw new InvalidOperationException(problem);
        if (string.IsNullOrEmpty(secret))
            TransportLog.GrainPortUnauthenticated(_logger, options.Host, options.GrainPort);
        var metrics = new SiloTransportMetrics(services.GetService<IMeterFactory>(), () => Volatile.Read(ref _open));
        _settings = new InboundSettings(options.MaxFrameBytes, maxInFlight, TimeSpan.FromMilliseconds(options.HandshakeTimeoutMs), ClusterHandshake.DeriveKey(secret), metrics, time, _logger);
    }

    /// <summary>Connections open now.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>The secret in force: <paramref name="configured"/> when set, else <c>Granary:ClusterSecret</c> of the host's configuration, else null.</summary>
    internal static string? ResolveSecret(string? configured, IServiceProvider services) =>
        !string.IsNullOrEmpty(configured) ? configured : services.GetService<IConfiguration>()?[ClusterHandshake.SecretConfigurationKey] is { Length: > 0 } s ? s : null;

    /// <inheritdoc />
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        if (Interlocked.Increment(ref _open) > _maxConnections)
        {
            try
            {
                _settings.Metrics.LimitHit("max_connections");
                TransportLog.TooManyConnections(_logger, connection.RemoteEndPoint, _maxConnections);
                await InboundConnection.RefuseAsync(connection, HandshakeStatus.TooManyConnections, _settings).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _open);
            }
            return;
        }
        try
        {
            var callHandler = _callHandler ??= _services.GetRequiredService<IIncomingCallHandler>();
            await new InboundConnection(connection, callHandler, _settings).RunAsync().ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }
}
