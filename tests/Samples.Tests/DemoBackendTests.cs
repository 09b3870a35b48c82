using System.Net;
using System.Text.Json;
using Granary.Samples.DemoBackend;
using Granary.Samples.Imaging;
using Microsoft.AspNetCore.Builder;

namespace Granary.Samples.Tests;

public sealed class DemoBackendTests : IAsyncLifetime
{
    private WebApplication? _app;
    private HttpClient? _http;

    private HttpClient Http => _http ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _app = DemoBackendApp.Build(new DemoBackendOptions(Port: 0, Id: "t1", LatencyMs: 0));
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.Single()), Timeout = TimeSpan.FromSeconds(15) };
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Healthz_Get_ReturnsOkWithIdAndHeader()
    {
        using var response = await Http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("t1", response.Headers.GetValues(DemoBackendApp.BackendIdHeader).Single());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("t1", json.RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task AnyPath_Get_EchoesBackendAndPath()
    {
        using var response = await Http.GetAsync("/some/path?q=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("t1", response.Headers.GetValues(DemoBackendApp.BackendIdHeader).Single());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("t1", json.RootElement.GetProperty("backend").GetString());
        Assert.Equal("/some/path", json.RootElement.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Mandelbrot_ValidTile_ReturnsPngOfRequestedSize()
    {
        using var response = await Http.GetAsync("/mandelbrot?x0=-2&y0=1.2&x1=1&y1=-1.2&w=40&h=30&iter=100");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("t1", response.Headers.GetValues(DemoBackendApp.BackendIdHeader).Single());
        var image = Png.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(40, image.Width);
        Assert.Equal(30, image.Height);
        Assert.Equal(Mandelbrot.Render(-2, 1.2, 1, -1.2, 40, 30, 100).Pixels, image.Pixels);
    }

    [Theory]
    [InlineData("x0=-2&y0=1&x1=1&y1=-1&w=0&h=30&iter=100", "w")]
    [InlineData("x0=-2&y0=1&x1=1&y1=-1&w=30&h=1025&iter=100", "h")]
    [InlineData("x0=-2&y0=1&x1=1&y1=-1&w=30&h=30&iter=10001", "iter")]
    [InlineData("x0=NaN&y0=1&x1=1&y1=-1&w=30&h=30&iter=100", "x0")]
    [InlineData("x0=-2&y0=Infinity&x1=1&y1=-1&w=30&h=30&iter=100", "y0")]
    [InlineData("x0=-2&y0=1&y1=-1&w=30&h=30&iter=100", "x1")]
    public async Task Mandelbrot_InvalidParameter_Returns400JsonNamingIt(string query, string parameter)
    {
        using var response = await Http.GetAsync("/mandelbrot?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("t1", response.Headers.GetValues(DemoBackendApp.BackendIdHeader).Single());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(400, json.RootElement.GetProperty("code").GetInt32());
        Assert.Contains(parameter, json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
