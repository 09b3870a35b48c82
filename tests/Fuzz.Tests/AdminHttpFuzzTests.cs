using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Granary.Silo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Drives the real admin endpoints of an in-process silo (in-memory registry, admin key set) with
/// random and mutated JSON: POST /clients and PUT /clients/{id}. Every answer must be 2xx or 4xx,
/// never 5xx or a hang, and every 4xx must be <c>{"code":N,"message":"..."}</c> with N the status.
/// </summary>
public sealed class AdminHttpFuzzTests(ITestOutputHelper output, FuzzSink sink) : IAsyncLifetime, IClassFixture<FuzzSink>
{
    private const string AdminKey = "fuzz-admin-key";
    private static readonly string[] ContentTypes = ["application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-16", ""];
    private static readonly string[] ExistingIds = ["fuzz-a", "fuzz-b", "fuzz.c@d:e_f"];

    private WebApplication? _app;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public async Task InitializeAsync()
    {
        _app = SiloApp.Create(
            ["--Granary:Silo:Host=127.0.0.1", $"--Granary:Silo:SiloPort={FreePort()}", $"--Granary:Silo:GatewayPort={FreePort()}", "--Granary:Silo:HttpPort=0", $"--Granary:Silo:AdminKey={AdminKey}"],
            builder => builder.Logging.ClearProviders());
        await _app.StartAsync();
        var addresses = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        _http.BaseAddress = new Uri(addresses.Single());
        foreach (var id in ExistingIds)
        {
            using var response = await SendAsync(HttpMethod.Post, "/clients", System.Text.Encoding.UTF8.GetBytes($"{{\"client_id\":\"{id}\",\"capacity\":10,\"rate_per_sec\":5}}"), "application/json", AdminKey);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task PostAndPutClients_RandomAndMutatedJson_AnswerTwoHundredsOrJsonFourHundreds()
    {
        var report = await FuzzRunner.RunAsync(output, sink, "admin HTTP API", TimeSpan.FromSeconds(15), async context =>
        {
            var random = context.NewRandom();
            var put = random.Chance(50);
            var id = random.Next(4) switch
            {
                0 => random.Pick(ExistingIds),
                1 => JsonSamples.RandomId(ref random),
                2 => "fuzz-" + random.Next(1000),
                // Not %00: Kestrel itself rejects a NUL in the path with an empty 400 before any middleware runs.
                _ => random.Pick(["%2F", "a%2Fb", "..", "%20", "x%FF", "%C3%BC", "%E2%82", new string('y', 129), "a;b", "~"]),
            };
            var body = random.Chance(1) ? new byte[70 * 1024] : JsonSamples.BodyBytes(ref random, random.Chance(50) ? id : null);
            var path = put ? "/clients/" + (id.Contains('%') ? id : Uri.EscapeDataString(id)) : "/clients";
            var key = random.Next(20) switch
            {
                0 => null,
                1 => "wrong",
                _ => AdminKey,
            };
            var contentType = random.Chance(85) ? "application/json" : random.Pick(ContentTypes);
            context.Input = body;
            context.Note = $"{(put ? "PUT" : "POST")} {path}, Content-Type '{contentType}', key {(key is null ? "none" : key == AdminKey ? "right" : "wrong")}";

            using var response = await SendAsync(put ? HttpMethod.Put : HttpMethod.Post, path, body, contentType, key);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            if (status is < 200 or >= 500 or (>= 300 and < 400))
                throw new FuzzPropertyException($"Status {status}: {text}");
            if (status >= 400)
                CheckErrorBody(status, text);
            else if (status != 204)
                using (JsonDocument.Parse(text)) { }
        });
        report.AssertClean();
    }

    /// <summary>Regression found by the fuzzer: invalid UTF-8 in a JSON string answered 500 instead of 400 JSON.</summary>
    [Theory]
    [InlineData("POST", "/clients", "7B22636C69656E745F6964223A22FF222C226361706163697479223A312C22726174655F7065725F736563223A317D")]
    [InlineData("PUT", "/clients/fuzz-a", "7B226361706163697479223A312C2261F8223A317D")]
    [InlineData("PUT", "/clients/fuzz-a", "7B22636C69656E745F6964223A225C7564383030227D")]
    public async Task PostAndPutClients_InvalidUtf8InJsonString_Answer400Json(string method, string path, string hex)
    {
        using var response = await SendAsync(new HttpMethod(method), path, Convert.FromHexString(hex), "application/json", AdminKey);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        CheckErrorBody(400, text);
    }

    private static void CheckErrorBody(int status, string text)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new FuzzPropertyException($"Status {status} with a non-JSON body ({e.Message}): {text}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.Number || code.GetInt32() != status
                || !root.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(message.GetString()))
                throw new FuzzPropertyException($"Status {status} with a body that is not {{\"code\":{status},\"message\":...}}: {text}");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, byte[] body, string contentType, string? key)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
        if (contentType.Length > 0)
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (key is not null)
            request.Headers.Add("X-Admin-Key", key);
        return await _http.SendAsync(request);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
