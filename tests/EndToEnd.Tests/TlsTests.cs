using System.Diagnostics;
using System.Text.Json;
using Granary.EndToEnd.Tests.Infrastructure;
using Granary.Tests.Common;

namespace Granary.EndToEnd.Tests;

/// <summary>
/// Mutual TLS on Orleans's ports between real processes: a silo with the cluster's certificate, a gateway whose
/// certificate the cluster's CA issued (it serves through the grains), and one whose certificate another CA issued
/// (it stops at start-up with a clear error, and no grain runs for it).
/// </summary>
public sealed class TlsTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-tls-").FullName;
    private readonly TestCertificates _cluster = new("Granary cluster CA");
    private readonly TestCertificates _other = new("Some other CA");

    private static string[] TlsArgs(string certificate, string key, string ca) =>
        [$"--Granary:Tls:CertificatePath={certificate}", $"--Granary:Tls:KeyPath={key}", $"--Granary:Tls:CaPath={ca}"];

    [Fact]
    public async Task GatewayCertificateFromTheClusterCa_Serves_OneFromAnotherCa_StopsAtStartUpAndNoGrainRunsForIt()
    {
        var ca = _cluster.WriteAuthority(_dir);
        var silo = _cluster.WriteIssued(_dir, "silo");
        var gateway = _cluster.WriteIssued(_dir, "gateway");
        var rogueDir = Directory.CreateDirectory(Path.Combine(_dir, "rogue")).FullName;
        var rogue = _other.WriteIssued(rogueDir, "gateway");
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec { Gateways = 0, ExtraSiloArgs = TlsArgs(silo.CertificatePath, silo.KeyPath, ca) });

        // Trusted: connects over TLS and serves through the client grain.
        var (trusted, url) = await cluster.StartGatewayProcessAsync("gw-trusted", TlsArgs(gateway.CertificatePath, gateway.KeyPath, ca));
        await trusted.WaitHealthyAsync(cluster.Http, url + "/healthz", TimeSpan.FromSeconds(30));
        await Poll.UntilAsync(async () => (await cluster.Http.GetStringAsync(url + "/healthz")).Contains("\"silo_connected\":true", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the trusted gateway connected over TLS");
        using var request = new HttpRequestMessage(HttpMethod.Get, url + "/");
        request.Headers.Add("X-Client-ID", "tls-client");
        using var response = await cluster.Http.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        using var grain = JsonDocument.Parse(await cluster.Http.GetStringAsync(cluster.SiloUrl + "/api/grains/client/tls-client"));
        Assert.True(grain.RootElement.GetProperty("state").GetProperty("admitted").GetInt64() >= 1, grain.RootElement.ToString());

        // Untrusted: the handshake fails, the gateway says why and stops (exit code 3) within a bound.
        var started = Stopwatch.StartNew();
        var (untrusted, _) = await cluster.StartGatewayProcessAsync("gw-rogue", TlsArgs(rogue.CertificatePath, rogue.KeyPath, ca));
        await Poll.UntilAsync(() => Task.FromResult(untrusted.HasExited), TimeSpan.FromSeconds(45), "the gateway with an untrusted certificate stopping");
        var log = untrusted.Tail();
        output.WriteLine($"[tls] untrusted gateway exited with code {untrusted.ExitCode} after {started.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine(log.Split('\n').FirstOrDefault(l => l.Contains("TLS handshake", StringComparison.Ordinal)) ?? log);
        Assert.Equal(3, untrusted.ExitCode);
        Assert.Contains("TLS handshake with the silos failed", log, StringComparison.Ordinal);
        Assert.Contains("Granary:Tls:CertificatePath", log, StringComparison.Ordinal);

        // No grain ran for it: the silo's per-turn log never names the rogue gateway (its gateway grain is keyed by its id).
        await cluster.Silos[0].Process.StopAsync(TimeSpan.FromSeconds(15)); // flushes the turn log
        var turns = TurnLog.Read([cluster.Silos[0].TurnLog]);
        Assert.Contains(turns, t => t.Grain.Contains("gw-trusted", StringComparison.Ordinal));
        Assert.DoesNotContain(turns, t => t.Grain.Contains("gw-rogue", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Gateway_NonLoopbackSiloWithoutTls_RefusesToStart_NamingTheKeys()
    {
        await using var cluster = await LocalCluster.StartAsync(new ClusterSpec { Gateways = 0 });

        var (gateway, _) = await cluster.StartGatewayProcessAsync("gw-plain", ["--Granary:Client:Gateways:0=10.1.2.3:30000"]);
        await Poll.UntilAsync(() => Task.FromResult(gateway.HasExited), TimeSpan.FromSeconds(30), "the gateway refusing to start");

        Assert.Equal(2, gateway.ExitCode);
        var log = gateway.Tail();
        Assert.Contains("Granary:Tls:CertificatePath", log, StringComparison.Ordinal);
        Assert.Contains("Granary:Tls:KeyPath", log, StringComparison.Ordinal);
        Assert.Contains("Granary:Tls:CaPath", log, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _cluster.Dispose();
        _other.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
