using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Granary.Silo;
using Granary.Tests.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Granary.PostgreSql.Tests.Hosting;

/// <summary>The real silo host (SiloApp in process) on a database of its own.</summary>
public sealed class SiloPersistenceTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task ClientCreatedThroughSilo_SiloRestartedOnSameDatabase_ClientStillRegistered()
    {
        await using (var first = await StartSiloAsync())
        {
            using var created = await first.Http.PostAsJsonAsync("/clients", new { client_id = "persisted", capacity = 42, rate_per_sec = 3.5 });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await using var second = await StartSiloAsync();
        using var read = await second.Http.GetAsync("/clients/persisted");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var body = JsonDocument.Parse(await read.Content.ReadAsStringAsync());
        Assert.Equal(42, body.RootElement.GetProperty("capacity").GetInt64());
        Assert.Equal(3.5, body.RootElement.GetProperty("rate_per_sec").GetDouble());
        Assert.Equal(1, await _db.ScalarAsync("SELECT min(version) FROM granary_schema_version"));
    }

    private async Task<RunningSilo> StartSiloAsync()
    {
        var grainPort = FreePort();
        var app = SiloApp.Create(
            ["--Granary:Silo:Host=127.0.0.1", $"--Granary:Silo:GrainPort={grainPort}", "--Granary:Silo:HttpPort=0",
             $"--{PostgreSqlDefaults.ConnectionStringKey}={_db.ConnectionString}"],
            builder => builder.Logging.ClearProviders());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await app.StartAsync(timeout.Token);
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        var http = new HttpClient { BaseAddress = addresses.Select(a => new Uri(a)).Single(u => u.Port != grainPort), Timeout = TimeSpan.FromSeconds(10) };
        return new RunningSilo(app, http);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record RunningSilo(WebApplication App, HttpClient Http) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
