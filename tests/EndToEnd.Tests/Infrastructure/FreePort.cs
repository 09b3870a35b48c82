using System.Net;
using System.Net.Sockets;

namespace Granary.EndToEnd.Tests.Infrastructure;

/// <summary>Finds TCP ports on 127.0.0.1 that nothing listens on, without handing out the same one twice in a run.</summary>
internal static class FreePort
{
    private static readonly HashSet<int> Handed = [];

    public static int Next()
    {
        lock (Handed)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (Handed.Add(port))
                    return port;
            }
        }
    }
}
