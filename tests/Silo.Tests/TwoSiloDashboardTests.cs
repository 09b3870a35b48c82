using System.Net;
using System.Text.Json;
using Granary.Grains.Contracts;
using Granary.Tests.Common;

namespace Granary.Silo.Tests;

/// <summary>
/// Two silos in process sharing Orleans's membership and grain storage and the client registry through
/// PostgreSQL (a database of their own): every cluster endpoint asked on silo A shows what lives on silo B,
/// read through Orleans (no HTTP between silos), and a silo that leaves is shown Dead.
/// </summary>
public sealed class TwoSiloDashboardTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private TestSilo _a = null!;
    private TestSilo _b = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _a = await TestSilo.StartAsync(_db.ConnectionString);
        _b = await TestSilo.StartAsync(_db.ConnectionString);
        await TestSilo.WaitForViewAsync(_a, _b);
    }

    public async Task DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>GETs <paramref name="path"/> from silo A until <paramref name="done"/> holds, within 30 s; returns the last answer.</summary>
    private async Task<JsonElement> PollAAsync(string path, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var (status, json, _) = await _a.Http.SendAsync(HttpMethod.Get, path);
            Assert.Equal(HttpStatusCode.OK, status);
            if (done(json) || DateTime.UtcNow > deadline)
                return json;
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Activates grains from silo B (Orleans prefers the caller's silo when placing) until one is active on B
    /// by the grain directory; returns its key.
    /// </summary>
    private async Task<string> ActivateOnBAsync(Func<int, string> key, Func<string, Task> activate, Func<string, IAddressable> reference)
    {
        var management = _a.Grains.GetGrain<IManagementGrain>(0);
        for (var i = 0; i < 50; i++)
        {
            await activate(key(i));
            if (Equals(await management.GetActivationAddress(reference(key(i))), _b.SiloAddress))
                return key(i);
        }
        Assert.Fail("no grain activated from silo B landed on B in 50 tries");
        return "";
    }

    [Fact]
    public async Task Backends_AskedOnA_IncludeABackendActiveOnB()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var key = await ActivateOnBAsync(i => BackendKey.For("two", $"d{i}-{suffix}"),
            k => _b.Grains.GetGrain<IBackendGrain>(k).ConfigureAsync(new BackendConfig("two", k.Split('/')[1], "http://127.0.0.1:1/", Policy: "PowerOfTwoChoices")).AsTask(),
            k => _b.Grains.GetGrain<IBackendGrain>(k));
        var destination = key.Split('/')[1];

        var json = await PollAAsync("/api/backends", j => j.GetProperty("backends").EnumerateArray().Any(b => b.GetProperty("destination_id").GetString() == destination));

        var backend = json.GetProperty("backends").EnumerateArray().Single(b => b.GetProperty("destination_id").GetString() == destination);
        Assert.Equal(_b.Address, backend.GetProperty("silo").GetString());
        Assert.Equal("PowerOfTwoChoices", backend.GetProperty("policy").GetString());
        Assert.Empty(json.GetProperty("errors").EnumerateArray());
    }

    [Fact]
    public async Task Overview_AskedOnA_ListsBothSilosAndAGatewayWhoseGrainIsOnB()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var gateway = await ActivateOnBAsync(i => $"gw{i}-{suffix}",
            k => _b.Grains.GetGrain<IGatewayGrain>(k).ReportAsync(new GatewayStats(k, 12, false, true, 1, 0)).AsTask(),
            k => _b.Grains.GetGrain<IGatewayGrain>(k));

        // Polled for at least a second: the call rates need two samples of each silo's total (read through its grain service).
        var json = await PollAAsync("/api/overview", j =>
            j.GetProperty("silos").EnumerateArray().All(s => s.GetProperty("error").ValueKind == JsonValueKind.Null && s.GetProperty("grain_calls_per_sec").ValueKind == JsonValueKind.Number)
            && j.GetProperty("gateways").EnumerateArray().Any(g => g.GetProperty("id").GetString() == gateway));

        var silos = json.GetProperty("silos").EnumerateArray().ToList();
        Assert.Equal([_a.Address, _b.Address], silos.Select(s => s.GetProperty("address").GetString()));
        Assert.All(silos, s => Assert.Equal(JsonValueKind.Null, s.GetProperty("error").ValueKind));
        Assert.All(silos, s => Assert.Equal("Active", s.GetProperty("status").GetString()));
        Assert.True(silos[1].GetProperty("memory_mb").GetDouble() > 1);
        Assert.True(silos[1].GetProperty("grains").GetProperty("gateway").GetInt32() >= 1);
        Assert.All(silos, s => Assert.True(s.GetProperty("grain_calls_per_sec").GetDouble() >= 0));
        var g = json.GetProperty("gateways").EnumerateArray().Single(g => g.GetProperty("id").GetString() == gateway);
        Assert.Equal(12, g.GetProperty("requests_per_sec").GetDouble());
        Assert.Equal(_b.Address, g.GetProperty("silo").GetString());
    }

    [Fact]
    public async Task Grain_AskedOnA_NamesOwnerBAndReadsItsState()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var key = await ActivateOnBAsync(i => BackendKey.For("own", $"d{i}-{suffix}"),
            k => _b.Grains.GetGrain<IBackendGrain>(k).ConfigureAsync(new BackendConfig("own", k.Split('/')[1], "http://127.0.0.1:1/")).AsTask(),
            k => _b.Grains.GetGrain<IBackendGrain>(k));
        var destination = key.Split('/')[1];

        var json = await PollAAsync($"/api/grains/backend/own%2F{destination}", j => j.GetProperty("active").ValueKind == JsonValueKind.True);

        Assert.Equal(_b.Address, json.GetProperty("owner").GetString());
        Assert.True(json.GetProperty("active").GetBoolean());
        Assert.Equal(destination, json.GetProperty("state").GetProperty("destination_id").GetString());
    }

    [Fact]
    public async Task Clients_CreatedOnB_ListedOnAWithLiveState()
    {
        var id = "two-" + Guid.NewGuid().ToString("N")[..8];
        var created = await _b.Http.SendAsync(HttpMethod.Post, "/clients", $"{{\"client_id\":\"{id}\",\"capacity\":33,\"rate_per_sec\":3}}");

        var (_, json, _) = await _a.Http.SendAsync(HttpMethod.Get, "/api/clients?search=two-");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        var c = Assert.Single(json.GetProperty("clients").EnumerateArray());
        Assert.Equal(id, c.GetProperty("client_id").GetString());
        Assert.Equal(33, c.GetProperty("tokens").GetDouble(), 3);
        Assert.Equal(1, json.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Clients_NotRegisteredClientActiveOnB_ListedOnAAtDefaultLimitsAndAnsweredByGetClient()
    {
        var prefix = "twodef-" + Guid.NewGuid().ToString("N")[..6] + "-";
        var key = await ActivateOnBAsync(i => $"{prefix}{i:D2}",
            k => _b.Grains.GetGrain<IClientGrain>(k).TryAcquireAsync(new AcquireTokens(1)).AsTask(),
            k => _b.Grains.GetGrain<IClientGrain>(k));
        await _b.Http.SendAsync(HttpMethod.Post, "/clients", $"{{\"client_id\":\"{prefix}reg\",\"capacity\":33,\"rate_per_sec\":3}}");
        await _b.Grains.GetGrain<IClientGrain>(prefix + "reg").TryAcquireAsync(new AcquireTokens(1));

        var json = await PollAAsync($"/api/clients?search={prefix}", j => j.GetProperty("active_default").EnumerateArray().Any(c => c.GetProperty("client_id").GetString() == key));
        var (status, client, _) = await _a.Http.SendAsync(HttpMethod.Get, "/clients/" + key);

        var active = json.GetProperty("active_default").EnumerateArray().ToList();
        var row = Assert.Single(active, c => c.GetProperty("client_id").GetString() == key);
        Assert.Equal("default", row.GetProperty("limits_source").GetString());
        Assert.Equal(1, row.GetProperty("admitted").GetInt64());
        Assert.DoesNotContain(active, c => c.GetProperty("client_id").GetString() == prefix + "reg");
        Assert.Equal([prefix + "reg"], json.GetProperty("clients").EnumerateArray().Select(c => c.GetProperty("client_id").GetString()));
        Assert.Equal(active.Count, json.GetProperty("active_default_total").GetInt32());
        Assert.Empty(json.GetProperty("errors").EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("default", 1L), (client.GetProperty("limits_source").GetString(), client.GetProperty("admitted").GetInt64()));
    }

    [Fact]
    public async Task Overview_BStoppedThenRestarted_OldIncarnationDeadNewOneActive()
    {
        var old = _b.Address;
        var ports = (_b.SiloPort, _b.GatewayPort, _b.HttpPort);
        await _b.StopAsync();

        var afterStop = await PollAAsync("/api/overview", j => Status(j, old) == "Dead");
        Assert.Equal("Dead", Status(afterStop, old));
        var dead = afterStop.GetProperty("silos").EnumerateArray().Single(s => s.GetProperty("address").GetString() == old);
        Assert.Equal(JsonValueKind.Null, dead.GetProperty("activations").ValueKind);
        Assert.Equal(JsonValueKind.Null, dead.GetProperty("error").ValueKind);

        await _b.DisposeAsync();
        _b = await TestSilo.StartAsync(_db.ConnectionString, ports: ports);
        var restarted = await PollAAsync("/api/overview", j => Status(j, _b.Address) == "Active");

        Assert.NotEqual(old, _b.Address);
        Assert.StartsWith(old[..old.IndexOf('@')] + "@", _b.Address, StringComparison.Ordinal);
        Assert.Equal("Active", Status(restarted, _b.Address));
        Assert.Equal("Dead", Status(restarted, old));
        Assert.Equal(3, restarted.GetProperty("silos").GetArrayLength());
    }

    private static string? Status(JsonElement overview, string address) =>
        overview.GetProperty("silos").EnumerateArray().Where(s => s.GetProperty("address").GetString() == address)
            .Select(s => s.GetProperty("status").GetString()).FirstOrDefault();
}
