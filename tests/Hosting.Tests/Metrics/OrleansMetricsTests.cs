using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Granary.Hosting.Tests.Metrics;

/// <summary>A real Orleans silo in the metrics host: Orleans's <c>Microsoft.Orleans</c> meter is exported and passes promtool.</summary>
public sealed class OrleansMetricsTests
{
    [Fact]
    public async Task MapGranaryMetrics_OrleansSiloAfterGrainCalls_ExportsOrleansMeterAndPassesPromtool()
    {
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        await using var host = await MetricsHost.StartAsync(configureBuilder: builder =>
            builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort, gatewayPort)));
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        for (var i = 0; i < 5; i++)
            Assert.Equal($"echo {i}", await grains.GetGrain<IEchoGrain>(i).Echo($"echo {i}"));
        Assert.NotEmpty(await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true));
        await host.Http.GetStringAsync("/hello");

        var scrape = await host.ScrapeAsync();

        // Orleans's ms histograms lose the unit suffix (promtool: "use base unit seconds instead of milliseconds").
        Assert.Equal("histogram", scrape.Types["orleans_app_requests_latency"]);
        Assert.EndsWith("(unit: ms)", scrape.Helps["orleans_app_requests_latency"], StringComparison.Ordinal);
        Assert.Equal("histogram", scrape.Types["orleans_catalog_activation_latency"]);
        Assert.Equal("counter", scrape.Types["orleans_catalog_activation_created_total"]);
        Assert.Equal(5, scrape.Value("orleans_catalog_activation_created_total{grain_type=\"echo\"}"));
        Assert.Equal("gauge", scrape.Types["orleans_catalog_activations"]);
        Assert.Equal("counter", scrape.Types["orleans_messaging_sent_header_size_bytes_total"]);
        Assert.DoesNotContain(scrape.Types.Keys, k => k.Contains("milliseconds", StringComparison.Ordinal) || k.Contains("megabytes", StringComparison.Ordinal));
        Assert.True(scrape.Types.Keys.Count(k => k.StartsWith("orleans_", StringComparison.Ordinal)) >= 10,
            "expected Orleans's meter on /metrics: " + string.Join(", ", scrape.Types.Keys));
        Assert.Equal("histogram", scrape.Types["http_server_request_duration_seconds"]);
        await Promtool.AssertCleanAsync(scrape.Text);
    }

    [Fact]
    public async Task MapGranaryMetrics_OrleansMessageSizeHistograms_KeepOnlyTheSnakeCaseSiloLabel()
    {
        await using var host = await MetricsHost.StartAsync();
        // The shape Orleans 10.4.2 records on a gateway connection (MessagingInstruments.OnMessageSend/OnMessageReceive).
        var meter = host.Services.GetRequiredService<IMeterFactory>().Create("Microsoft.Orleans");
        var sent = meter.CreateHistogram<int>("orleans-messaging-sent-messages-size", "bytes");
        var received = meter.CreateHistogram<int>("orleans-messaging-received-messages-size", "bytes");
        foreach (var direction in new[] { "Request", "Response" })
        {
            sent.Record(120, new("ConnectionDirection", "GatewayToClient"), new("MessageDirection", direction), new("silo", "S127.0.0.1:11111:1"));
            received.Record(80, new("ConnectionDirection", "ClientToGateway"), new("MessageDirection", direction));
        }

        var scrape = await host.ScrapeAsync();

        Assert.Equal("histogram", scrape.Types["orleans_messaging_sent_messages_size_bytes"]);
        Assert.DoesNotContain("ConnectionDirection", scrape.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("MessageDirection", scrape.Text, StringComparison.Ordinal);
        Assert.Equal(2, scrape.Value("orleans_messaging_sent_messages_size_bytes_count{silo=\"S127.0.0.1:11111:1\"}"));
        Assert.Equal(2, scrape.Value("orleans_messaging_received_messages_size_bytes_count{}"));
        await Promtool.AssertCleanAsync(scrape.Text);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[Alias("Granary.Hosting.Tests.IEchoGrain")]
public interface IEchoGrain : IGrainWithIntegerKey
{
    [Alias("Echo")]
    Task<string> Echo(string text);
}

public sealed class EchoGrain : Grain, IEchoGrain
{
    public Task<string> Echo(string text) => Task.FromResult(text);
}
