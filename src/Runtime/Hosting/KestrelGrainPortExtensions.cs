using System.Net;
using Granary.Runtime.Messaging;
using Granary.Runtime.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Granary.Runtime.Hosting;

/// <summary>Binds a silo's grain port in Kestrel.</summary>
public static class KestrelGrainPortExtensions
{
    /// <summary>
    /// Binds the silo's grain port (<see cref="SiloOptions.Host"/>:<see cref="SiloOptions.GrainPort"/>)
    /// to Kestrel with the grain connection handler: binary frames (see <see cref="FrameCodec"/>), no
    /// HTTP. Every connection first proves the cluster secret (<see cref="ClusterHandshake"/>;
    /// <see cref="SiloOptions.ClusterSecret"/>, else <c>Granary:ClusterSecret</c> of the host's configuration)
    /// within <see cref="SiloOptions.HandshakeTimeoutMs"/>; then every call is handed to the
    /// <see cref="IIncomingCallHandler"/> registered in DI. A failed handshake, frames above
    /// <see cref="SiloOptions.MaxFrameBytes"/> and any other garbage close that connection only (one warning
    /// logged with the remote endpoint, counted); at most <see cref="SiloOptions.MaxInFlightPerConnection"/>
    /// calls run at once per connection, more are answered with error <c>overloaded</c>; at most
    /// <see cref="SiloOptions.MaxConnections"/> connections are open at once. Other endpoints of the same
    /// Kestrel server (the silo's HTTP port) are unaffected.
    /// </summary>
    /// <param name="kestrel">Kestrel's options (inside <c>ConfigureKestrel</c>).</param>
    /// <param name="options">The silo options; <see cref="SiloOptions.Host"/> is an IP address, <c>localhost</c>, or <c>*</c> / <c>0.0.0.0</c> for all interfaces.</param>
    /// <exception cref="FormatException"><see cref="SiloOptions.Host"/> is none of those.</exception>
    /// <exception cref="InvalidOperationException">When Kestrel starts: the port binds beyond loopback with no cluster secret.</exception>
    public static KestrelServerOptions ListenGrainPort(this KestrelServerOptions kestrel, SiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(options);
        kestrel.Listen(ParseHost(options.Host), options.GrainPort, listen =>
        {
            var handler = new SiloConnectionHandler(listen.ApplicationServices, options);
            listen.Run(handler.OnConnectedAsync);
        });
        return kestrel;
    }

    private static IPAddress ParseHost(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        "*" or "+" => IPAddress.Any,
        _ => IPAddress.Parse(host),
    };
}
