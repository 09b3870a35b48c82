using Granary.Gateway.Cluster;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Gateway.Tests.Fakes;

/// <summary><see cref="ClusterConnectionState"/>s for tests, driven as Orleans and the connector drive them.</summary>
internal static class TestConnection
{
    /// <summary>A client that started and holds one gateway connection.</summary>
    public static ClusterConnectionState Connected()
    {
        var state = Disconnected();
        state.MarkStarted();
        state.NotifyGatewayCountChanged(1, 0, connectionRecovered: true);
        return state;
    }

    /// <summary>A client that has not reached a silo yet.</summary>
    public static ClusterConnectionState Disconnected() => new(NullLogger<ClusterConnectionState>.Instance);
}
