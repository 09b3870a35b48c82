using Granary.Runtime.Hosting;
using Granary.Runtime.Messaging;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Runtime.Transport;

/// <summary>
/// Kestrel connection handler of a silo's grain port: one <see cref="InboundConnection"/> per
/// accepted connection. The <see cref="IIncomingCallHandler"/> (the catalog) is resolved from DI
/// on the first connection, so the handler can be built while Kestrel's options are configured.
/// </summary>
internal sealed class SiloConnectionHandler : ConnectionHandler
{
    /// <summary>Default cap on calls running at once per connection; more are answered with <c>overloaded</c>.</summary>
    public const int DefaultMaxInFlightPerConnection = 10_000;

    private readonly IServiceProvider _services;
    private readonly int _maxFrameBytes;
    private readonly int _maxInFlight;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private IIncomingCallHandler? _callHandler;

    /// <summary>Creates the handler.</summary>
    /// <param name="services">Where <see cref="IIncomingCallHandler"/>, <see cref="ILoggerFactory"/> and <see cref="TimeProvider"/> come from.</param>
    /// <param name="options">The silo options (<see cref="SiloOptions.MaxFrameBytes"/>).</param>
    /// <param name="maxInFlightPerConnection">Cap on concurrent calls per connection.</param>
    public SiloConnectionHandler(IServiceProvider services, SiloOptions options, int maxInFlightPerConnection = DefaultMaxInFlightPerConnection)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlightPerConnection, 1);
        _services = services;
        _maxFrameBytes = options.MaxFrameBytes;
        _maxInFlight = maxInFlightPerConnection;
        _time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("Granary.Runtime.Transport.SiloConnectionHandler");
    }

    /// <inheritdoc />
    public override Task OnConnectedAsync(ConnectionContext connection)
    {
        var callHandler = _callHandler ??= _services.GetRequiredService<IIncomingCallHandler>();
        return new InboundConnection(connection, callHandler, _maxFrameBytes, _maxInFlight, _time, _logger).RunAsync();
    }
}
