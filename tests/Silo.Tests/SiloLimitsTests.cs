using System.Net;
using System.Net.Sockets;
using System.Text;
using Granary.Tests.Common;

namespace Granary.Silo.Tests;

/// <summary>
/// <c>Granary:Silo:Limits</c> and the admin body cap on a real silo (Kestrel on 127.0.0.1): each limit hit
/// gives its answer and raises <c>granary_silo_limit_rejections_total{limit}</c> on <c>/metrics</c>.
/// </summary>
public sealed class SiloLimitsTests : IAsyncLifetime
{
    private const string Rejections = "granary.silo.limit_rejections";

    private readonly List<(WebApplication App, SiloCounters Counters)> _silos = [];

    private SiloCounters Counters => _silos[^1].Counters;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (silo, counters) in _silos)
        {
            counters.Dispose();
            await silo.StopAsync();
            await silo.DisposeAsync();
        }
    }

    private async Task<Uri> StartSiloAsync(params string[] settings)
    {
        var silo = SiloApp.Create(
            ["--Granary:Silo:Host=127.0.0.1", $"--Granary:Silo:SiloPort={SiloFixture.FreePort()}", $"--Granary:Silo:GatewayPort={SiloFixture.FreePort()}",
             "--Granary:Silo:HttpPort=0", .. settings.Select(s => "--Granary:Silo:" + s)],
            builder => builder.Logging.ClearProviders());
        _silos.Add((silo, new SiloCounters(silo.Services)));
        await silo.StartAsync();
        return SiloFixture.HttpAddress(silo);
    }

    [Fact]
    public async Task PostClients_BodyOverMaxBodyBytes_413JsonAndCounted()
    {
        var silo = await StartSiloAsync("MaxBodyBytes=1024");
        using var http = new HttpClient { BaseAddress = silo };
        var body = "{\"client_id\":\"big\",\"capacity\":10,\"rate_per_sec\":1,\"pad\":\"" + new string('x', 2000) + "\"}";

        using var response = await http.PostAsync("/clients", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("{\"code\":413,\"message\":\"Request body larger than 1024 bytes\"}", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, Counters.Get(Rejections, "limit", "request_body"));
    }

    [Fact]
    public async Task PostClients_ChunkedBodyOverMaxBodyBytes_413JsonAndCounted()
    {
        var silo = await StartSiloAsync("MaxBodyBytes=1024");
        using var http = new HttpClient { BaseAddress = silo };
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"client_id\":\"" + new string('x', 5000) + "\"}")));
        content.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/clients") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("\"code\":413", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Counters.EventuallyAsync(Rejections, "limit", "request_body", 1);
    }

    [Fact]
    public async Task PostClients_BodyOverKestrelLimit_413SaysConnectionCloseAndCloses()
    {
        var silo = await StartSiloAsync();

        // 31 MB announced (Kestrel's limit is 30 MB), only the headers sent: the silo answers at once and ends the connection.
        var answer = await HttpProbe.RawAsync(silo,
            "POST /clients HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 31000000\r\n\r\n{\"client_id\":");

        Assert.StartsWith("HTTP/1.1 413", answer, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("{\"code\":413,\"message\":\"Request body larger than 65536 bytes\"}", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostClients_BodyOverCapWithinKestrelLimit_413KeepsTheConnection()
    {
        var silo = await StartSiloAsync("MaxBodyBytes=1024");
        using var http = new HttpClient { BaseAddress = silo };
        var body = "{\"client_id\":\"big\",\"pad\":\"" + new string('x', 2000) + "\"}";

        using var response = await http.PostAsync("/clients", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.False(response.Headers.ConnectionClose ?? false, "an over-cap body within Kestrel's limit is drained and the connection kept");
    }

    [Fact]
    public async Task Headers_OverTotalSize_Kestrel431AndCounted()
    {
        var silo = await StartSiloAsync("Limits:MaxRequestHeadersTotalSize=2048");
        using var http = new HttpClient { BaseAddress = silo };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Add("X-Big", new string('a', 4096));

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        await Counters.EventuallyAsync(Rejections, "limit", "request_headers_total_size", 1);
    }

    [Fact]
    public async Task Connections_OverLimit_503Json()
    {
        var silo = await StartSiloAsync("Limits:MaxConcurrentConnections=1");
        using var first = new TcpClient();
        await first.ConnectAsync(IPAddress.Loopback, silo.Port);
        var stream = first.GetStream();
        await stream.WriteAsync("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
        Assert.True(await stream.ReadAsync(new byte[4096]) > 0);

        var answer = await HttpProbe.RawAsync(silo, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 503", answer, StringComparison.Ordinal);
        Assert.EndsWith("{\"code\":503,\"message\":\"Too many connections (limit 1)\"}", answer, StringComparison.Ordinal);
        first.Dispose();
        await Counters.EventuallyAsync(Rejections, "limit", "connections", 1);
    }

    [Fact]
    public async Task PostClients_ClientIdTooLong_400NamingTheRule()
    {
        var silo = await StartSiloAsync();
        using var http = new HttpClient { BaseAddress = silo };
        var body = "{\"client_id\":\"" + new string('a', 129) + "\",\"capacity\":10,\"rate_per_sec\":1}";

        using var response = await http.PostAsync("/clients", new StringContent(body, Encoding.UTF8, "application/json"));
        using var badChar = await http.GetAsync("/clients/a%20b");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("{\"code\":400,\"message\":\"client_id is longer than 128 characters: it must be 1-128 characters of A-Z, a-z, 0-9 and . _ : @ -\"}",
            await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, badChar.StatusCode);
        Assert.Contains("client_id has a character outside [A-Za-z0-9._:@-]", await badChar.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Limits:MaxRequestBodySize=100", "Granary:Silo:Limits:MaxRequestBodySize must be 0 or at least Granary:Silo:MaxBodyBytes (65536)")]
    [InlineData("Limits:MaxRequestHeaderCount=0", "Granary:Silo:Limits:MaxRequestHeaderCount must be 1–1000")]
    [InlineData("Limits:MaxConcurrentConnections=-1", "Granary:Silo:Limits:MaxConcurrentConnections must be 0")]
    public void Create_LimitOutOfRange_FailsNamingTheKey(string setting, string expected)
    {
        var ex = Assert.Throws<SiloConfigurationException>(() => SiloApp.Create(["--Granary:Silo:HttpPort=0", "--Granary:Silo:" + setting]));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SiloHttpLimits_Defaults_ThousandConnectionsElseAsGateways()
    {
        var limits = SiloApp.SiloHttpLimits(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());

        Assert.Equal(1_000, limits.MaxConcurrentConnections);
        Assert.Equal(30_000_000, limits.MaxRequestBodySize);
        Assert.Equal(32 * 1024, limits.MaxRequestHeadersTotalSize);
    }
}
