using System.Net;
using Granary.Silo.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Granary.Silo.Tests;

public sealed class JsonErrorMiddlewareTests
{
    [Fact]
    public async Task Invoke_HandlerThrows_Returns500JsonWithoutDetails()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.UseMiddleware<JsonErrorMiddleware>();
        app.UseRouting();
        app.MapGet("/boom", (Func<string>)(() => throw new InvalidOperationException("secret detail")));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        using var http = new HttpClient { BaseAddress = new Uri(address) };

        var (status, json, _) = await http.SendAsync(HttpMethod.Get, "/boom");

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        var message = HttpJson.AssertError(json, HttpStatusCode.InternalServerError);
        Assert.DoesNotContain("secret", message, StringComparison.Ordinal);
        await app.StopAsync();
    }
}
