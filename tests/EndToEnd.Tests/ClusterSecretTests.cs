using System.Net;
using Granary.EndToEnd.Tests.Infrastructure;

namespace Granary.EndToEnd.Tests;

/// <summary>The grain port's cluster secret with real processes: a gateway that has the wrong one stops at start-up, saying why.</summary>
public sealed class ClusterSecretTests
{
    private const string Secret = "e2e-cluster-secret-0123456789abcdef";

    [Fact]
    public async Task Gateway_WrongSecretExitsAtStartUpNamingTheGrainPort_RightSecretServes()
    {
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec
        {
            Gateways = 0,
            BackendLatencyMs = [0],
            ExtraSiloArgs = [$"--Granary:ClusterSecret={Secret}"],
        });

        var (wrong, _) = await cluster.StartGatewayProcessAsync("gw-wrong", ["--Granary:ClusterSecret=not-the-cluster-secret"]);
        await Poll.UntilAsync(() => Task.FromResult(wrong.HasExited), TimeSpan.FromSeconds(30), $"the gateway with the wrong secret to exit\n{wrong.Tail()}", intervalMs: 100);
        var (right, url) = await cluster.StartGatewayProcessAsync("gw-right", [$"--Granary:ClusterSecret={Secret}"]);
        await right.WaitHealthyAsync(cluster.Http, url + "/healthz", TimeSpan.FromSeconds(30));
        using var proxied = await cluster.Http.GetAsync(url + "/");
        var siloMetrics = await cluster.Http.GetStringAsync(cluster.SiloUrl + "/metrics");

        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains($"grain port 127.0.0.1:{cluster.SiloGrainPort} refused the cluster secret", wrong.Tail(), StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-cluster-secret", wrong.Tail(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Contains("granary_silo_handshake_failures_total{reason=\"bad_secret\"}", siloMetrics, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, cluster.Silo.Tail(), StringComparison.Ordinal);
    }
}
