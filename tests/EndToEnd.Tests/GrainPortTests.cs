using System.Net.Sockets;
using Granary.EndToEnd.Tests.Infrastructure;

namespace Granary.EndToEnd.Tests;

/// <summary>Garbage on Orleans's silo and gateway ports costs the sender its connection and nobody else anything.</summary>
public sealed class GrainPortTests
{
    private static async Task AssertClosedByPeerAsync(int port, byte[] bytes)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port);
        await socket.SendAsync(bytes);
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            // The silo may answer nothing; it must close: a read returns 0 (FIN) or fails (RST).
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0) { }
        }
        catch (SocketException)
        {
        }
    }

    [Fact]
    public async Task Garbage_OnTheSiloAndGatewayPorts_ClosesThatConnection_SiloKeepsServing()
    {
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec { Gateways = 1, BackendLatencyMs = [0] });

        var random = new byte[4096];
        new Random(42).NextBytes(random);
        foreach (var port in new[] { cluster.SiloPort, cluster.SiloGatewayPort })
        {
            await AssertClosedByPeerAsync(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
            await AssertClosedByPeerAsync(port, random);
            // Orleans's connection preamble starts with a 4-byte length: claim 2 GiB.
            await AssertClosedByPeerAsync(port, [0xFF, 0xFF, 0xFF, 0x7F, 1, 0, 0, 0, 0]);
        }

        Assert.False(cluster.Silo.HasExited);
        var result = await LoadRunner.RunAsync(cluster.Http, [cluster.Gateways[0].Url], workers: 2, maxRequests: 40, maxDuration: TimeSpan.FromSeconds(20), clientId: "after-garbage");
        Assert.Equal(40, result.Count(200));
        using var health = await cluster.Http.GetAsync(cluster.SiloUrl + "/healthz");
        Assert.True(health.IsSuccessStatusCode);
    }
}
