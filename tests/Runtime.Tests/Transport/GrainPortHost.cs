using System.Net;
using System.Net.Sockets;
using Granary.Runtime.Hosting;
using Granary.Runtime.Messaging;
using Granary.Runtime.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Tests.Transport;

/// <summary>A minimal Kestrel host with only the grain port on 127.0.0.1, for transport tests.</summary>
internal sealed class GrainPortHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrainPortHost(WebApplication app, int port, ListLoggerProvider logs)
    {
        _app = app;
        Port = port;
        Logs = logs;
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public ListLoggerProvider Logs { get; }

    /// <summary>The host's services (its <c>IMeterFactory</c> scopes the silo's metrics).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a host; <paramref name="port"/> 0 picks a free one.</summary>
    /// <param name="handler">Answers the calls.</param>
    /// <param name="port">0 picks a free port.</param>
    /// <param name="maxFrameBytes">Frame cap.</param>
    /// <param name="maxInFlight">When set, the handler is built with this cap directly instead of <see cref="SiloOptions.MaxInFlightPerConnection"/>.</param>
    /// <param name="configure">Changes the silo options (secret, limits).</param>
    /// <param name="configurationSecret">When set, put in the host's configuration as <c>Granary:ClusterSecret</c>.</param>
    public static async Task<GrainPortHost> StartAsync(IIncomingCallHandler handler, int port = 0, int maxFrameBytes = FrameCodec.DefaultMaxFrameBytes, int? maxInFlight = null,
        Action<SiloOptions>? configure = null, string? configurationSecret = null)
    {
        if (port == 0)
            port = FreePort();
        var logs = new ListLoggerProvider();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton(handler);
        if (configurationSecret is not null)
            builder.Configuration[ClusterHandshake.SecretConfigurationKey] = configurationSecret;
        var options = new SiloOptions { Host = "127.0.0.1", GrainPort = port, MaxFrameBytes = maxFrameBytes };
        configure?.Invoke(options);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (maxInFlight is null)
            {
                kestrel.ListenGrainPort(options);
                return;
            }
            kestrel.Listen(IPAddress.Loopback, port, listen =>
                listen.Run(new SiloConnectionHandler(listen.ApplicationServices, options, maxInFlight.Value).OnConnectedAsync));
        });
        var app = builder.Build();
        await app.StartAsync();
        return new GrainPortHost(app, port, logs);
    }

    public static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
