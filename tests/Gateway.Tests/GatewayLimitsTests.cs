using System.Net;
using System.Net.Sockets;
using Granary.Gateway.Configuration;
using Granary.Gateway.Hosting;
using Granary.Gateway.Tests.Fakes;
using Granary.Tests.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Granary.Gateway.Tests;

/// <summary>
/// <c>Granary:Gateway:Limits</c> on a real gateway (Kestrel on 127.0.0.1, YARP, a live backend, fake grains):
/// each limit hit gives its answer and raises <c>granary_gateway_limit_rejections_total{limit}</c> or
/// <c>granary_gateway_invalid_client_ids_total{reason}</c> on <c>/metrics</c>.
/// </summary>
public sealed class GatewayLimitsTests : IAsyncLifetime
{
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("granary-gw-limits").FullName;
    private WebApplication? _backend;
    private readonly List<WebApplication> _gateways = [];
    private string _backendUrl = "";

    public async Task InitializeAsync()
    {
        var backendBuilder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0", "--contentRoot", _contentRoot]);
        backendBuilder.Logging.ClearProviders();
        backendBuilder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        _backend = backendBuilder.Build();
        _backend.Map("/{**rest}", async (HttpContext ctx) =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var body = await reader.ReadToEndAsync();
            return Results.Text($"live {body.Length}");
        });
        await _backend.StartAsync();
        _backendUrl = _backend.Urls.First();
    }

    public async Task DisposeAsync()
    {
        foreach (var gateway in _gateways)
            await gateway.DisposeAsync();
        if (_backend is not null)
            await _backend.DisposeAsync();
        try { Directory.Delete(_contentRoot, recursive: true); } catch (IOException) { }
    }

    private async Task<Uri> StartGatewayAsync(params string[] limits)
    {
        var gateway = GatewayApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--contentRoot", _contentRoot,
            "--Logging:LogLevel:Default=Warning",
            "--ReverseProxy:Routes:api:ClusterId=c",
            "--ReverseProxy:Routes:api:Match:Path=/api/{**rest}",
            $"--ReverseProxy:Clusters:c:Destinations:b:Address={_backendUrl}/",
            .. limits.Select(l => "--Granary:Gateway:Limits:" + l),
        ], useGrainClient: false, configure: builder =>
        {
            var grains = new FakeGrainFactory();
            builder.Services.AddSingleton<IGrainFactory>(grains);
            builder.Services.AddSingleton(TestConnection.Connected());
        });
        _gateways.Add(gateway);
        await gateway.StartAsync();
        return new Uri(gateway.Urls.First());
    }

    [Fact]
    public async Task HeaderTotalSize_OverLimit_Kestrel431AndCounted()
    {
        var gateway = await StartGatewayAsync("MaxRequestHeadersTotalSize=2048");
        using var http = new HttpClient { BaseAddress = gateway };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/x");
        request.Headers.Add("X-Big", new string('a', 4096));

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        await HttpProbe.EventuallyMetricAsync(gateway, "granary_gateway_limit_rejections_total{limit=\"request_headers_total_size\"}", 1);
        Assert.Equal("live 0", await http.GetStringAsync("/api/ok"));
    }

    [Fact]
    public async Task HeaderCount_OverLimit_Kestrel431AndCounted()
    {
        var gateway = await StartGatewayAsync("MaxRequestHeaderCount=10");
        var headers = string.Concat(Enumerable.Range(0, 20).Select(i => $"X-H{i}: v\r\n"));

        var answer = await HttpProbe.RawAsync(gateway, $"GET /api/x HTTP/1.1\r\nHost: a\r\n{headers}\r\n");

        Assert.StartsWith("HTTP/1.1 431", answer, StringComparison.Ordinal);
        await HttpProbe.EventuallyMetricAsync(gateway, "granary_gateway_limit_rejections_total{limit=\"request_header_count\"}", 1);
    }

    [Fact]
    public async Task RequestLine_OverLimit_Kestrel414AndCounted()
    {
        var gateway = await StartGatewayAsync("MaxRequestLineSize=512");

        var answer = await HttpProbe.RawAsync(gateway, $"GET /api/{new string('u', 1000)} HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 414", answer, StringComparison.Ordinal);
        await HttpProbe.EventuallyMetricAsync(gateway, "granary_gateway_limit_rejections_total{limit=\"request_line\"}", 1);
    }

    [Fact]
    public async Task RequestBody_ContentLengthOverLimit_413JsonAndCounted()
    {
        var gateway = await StartGatewayAsync("MaxRequestBodySize=1000");
        using var http = new HttpClient { BaseAddress = gateway };

        using var response = await http.PostAsync("/api/x", new ByteArrayContent(new byte[2000]));
        using var small = await http.PostAsync("/api/x", new ByteArrayContent(new byte[500]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.ConnectionClose);
        Assert.Equal("{\"code\":413,\"message\":\"Request body larger than 1000 bytes\"}", await response.Content.ReadAsStringAsync());
        Assert.Equal("live 500", await small.Content.ReadAsStringAsync());
        Assert.Equal(1, await HttpProbe.MetricAsync(gateway, "granary_gateway_limit_rejections_total{limit=\"request_body\"}"));
    }

    [Fact]
    public async Task RequestBody_ChunkedOverLimit_413JsonAndCounted()
    {
        var gateway = await StartGatewayAsync("MaxRequestBodySize=1000");
        using var http = new HttpClient { BaseAddress = gateway };
        var content = new StreamContent(new MemoryStream(new byte[5000]));
        content.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/x") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("\"code\":413", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await HttpProbe.EventuallyMetricAsync(gateway, "granary_gateway_limit_rejections_total{limit=\"request_body\"}", 1);
    }

    [Fact]
    public async Task Connections_OverLimit_503JsonAndCounted()
    {
        var gateway = await StartGatewayAsync("MaxConcurrentConnections=1");
        using var first = new TcpClient();
        await first.ConnectAsync(IPAddress.Loopback, gateway.Port);
        var stream = first.GetStream();
        await stream.WriteAsync("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
        var buffer = new byte[4096];
        Assert.True(await stream.ReadAsync(buffer) > 0); // answered: the first connection is open and counted

        var answer = await HttpProbe.RawAsync(gateway, "GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 503", answer, StringComparison.Ordinal);
        Assert.EndsWith("{\"code\":503,\"message\":\"Too many connections (limit 1)\"}", answer, StringComparison.Ordinal);
        first.Dispose();
        // The slot frees when the first connection closes; /metrics (a new connection) then answers.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        long rejected = -1;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                rejected = await HttpProbe.MetricAsync(gateway, "granary_gateway_limit_rejections_total{limit=\"connections\"}");
                break;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(20);
            }
        }
        Assert.True(rejected >= 1, $"connections rejections: {rejected}");
    }

    [Fact]
    public async Task ClientId_LongerThanConfigured_400NamingTheRuleAndCounted()
    {
        var gateway = await StartGatewayAsync("MaxClientIdLength=16");
        using var http = new HttpClient { BaseAddress = gateway };
        using var tooLong = new HttpRequestMessage(HttpMethod.Get, "/api/x");
        tooLong.Headers.Add("X-Client-ID", new string('a', 17));
        using var badChar = new HttpRequestMessage(HttpMethod.Get, "/api/x");
        badChar.Headers.Add("X-Client-ID", "a/b");
        using var ok = new HttpRequestMessage(HttpMethod.Get, "/api/x");
        ok.Headers.Add("X-Client-ID", new string('a', 16));

        using var tooLongResponse = await http.SendAsync(tooLong);
        using var badCharResponse = await http.SendAsync(badChar);
        using var okResponse = await http.SendAsync(ok);

        Assert.Equal(HttpStatusCode.BadRequest, tooLongResponse.StatusCode);
        Assert.Equal("{\"code\":400,\"message\":\"Invalid X-Client-ID: it is longer than 16 characters; expected 1-16 characters from [A-Za-z0-9._:@-]\"}",
            await tooLongResponse.Content.ReadAsStringAsync());
        Assert.Contains("has a character outside [A-Za-z0-9._:@-]", await badCharResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, okResponse.StatusCode);
        Assert.Equal(1, await HttpProbe.MetricAsync(gateway, "granary_gateway_invalid_client_ids_total{reason=\"too_long\"}"));
        Assert.Equal(1, await HttpProbe.MetricAsync(gateway, "granary_gateway_invalid_client_ids_total{reason=\"invalid_character\"}"));
    }

    [Fact]
    public async Task ClientId_PresentButEmpty_400IsEmptyAndCounted()
    {
        var gateway = await StartGatewayAsync("MaxClientIdLength=16");
        using var http = new HttpClient { BaseAddress = gateway };
        using var empty = new HttpRequestMessage(HttpMethod.Get, "/api/x");
        Assert.True(empty.Headers.TryAddWithoutValidation("X-Client-ID", ""));
        using var missing = new HttpRequestMessage(HttpMethod.Get, "/api/x");

        using var emptyResponse = await http.SendAsync(empty);
        using var missingResponse = await http.SendAsync(missing);

        Assert.Equal(HttpStatusCode.BadRequest, emptyResponse.StatusCode);
        Assert.Equal("{\"code\":400,\"message\":\"Invalid X-Client-ID: it is empty; expected 1-16 characters from [A-Za-z0-9._:@-]\"}",
            await emptyResponse.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, missingResponse.StatusCode);
        Assert.Equal(1, await HttpProbe.MetricAsync(gateway, "granary_gateway_invalid_client_ids_total{reason=\"empty\"}"));
    }

    [Theory]
    [InlineData("MaxClientIdLength=129", "Granary:Gateway:Limits:MaxClientIdLength")]
    [InlineData("MaxRequestHeadersTotalSize=100", "Granary:Gateway:Limits:MaxRequestHeadersTotalSize")]
    [InlineData("MaxRequestHeaderCount=0", "Granary:Gateway:Limits:MaxRequestHeaderCount")]
    [InlineData("MaxRequestLineSize=10", "Granary:Gateway:Limits:MaxRequestLineSize")]
    [InlineData("MaxRequestBodySize=-1", "Granary:Gateway:Limits:MaxRequestBodySize")]
    [InlineData("MaxConcurrentConnections=-5", "Granary:Gateway:Limits:MaxConcurrentConnections")]
    [InlineData("RequestHeadersTimeoutMs=10", "Granary:Gateway:Limits:RequestHeadersTimeoutMs")]
    public void Build_LimitOutOfRange_FailsNamingTheKey(string setting, string key)
    {
        var ex = Assert.Throws<GatewayConfigurationException>(() => GatewayApp.Build(
            ["--urls", "http://127.0.0.1:0", "--contentRoot", _contentRoot, "--Granary:Gateway:Limits:" + setting], useGrainClient: false));

        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_Limits_MatchTheDocumentedValues()
    {
        var http = new Granary.Hosting.Http.HttpLimitsOptions();

        Assert.Equal(128, new GatewayLimitsOptions().MaxClientIdLength);
        Assert.Equal(32 * 1024, http.MaxRequestHeadersTotalSize);
        Assert.Equal(100, http.MaxRequestHeaderCount);
        Assert.Equal(8 * 1024, http.MaxRequestLineSize);
        Assert.Equal(30_000_000, http.MaxRequestBodySize);
        Assert.Equal(10_000, http.MaxConcurrentConnections);
        Assert.Equal(30_000, http.RequestHeadersTimeoutMs);
    }
}
