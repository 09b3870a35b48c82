using System.Net;
using System.Text.Json;
using Granary.Tests.Common;

namespace Granary.Silo.Tests;

/// <summary>
/// Two silos on PostgreSQL with admin keys, mid key rotation: A accepts the old and the new key, B only
/// the new one. The dashboard's fan-out forwards the caller's key, so a caller with the new key sees
/// both silos, and a caller with the old key sees B refuse (reported, not failing the whole call).
/// </summary>
public sealed class TwoSiloAdminKeyTests : IAsyncLifetime
{
    private const string OldKey = "old-admin-key-0123456789";
    private const string NewKey = "new-admin-key-9876543210";

    private TestDatabase _db = null!;
    private TestSilo _a = null!;
    private TestSilo _b = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _a = await TestSilo.StartAsync(_db.ConnectionString, [$"--Granary:Silo:AdminKey={OldKey}", $"--Granary:Silo:AdminKeys:0={NewKey}"]);
        _b = await TestSilo.StartAsync(_db.ConnectionString, [$"--Granary:Silo:AdminKey={NewKey}"], clientKey: NewKey);
        await TestSilo.WaitForViewAsync(_a, _b);
        // Warm B's /api/local/overview (a cold silo can miss the fan-out's 1 s deadline while it JITs).
        await _b.Http.GetAsync("/api/local/overview");
    }

    public async Task DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<JsonElement> OverviewOnAAsync(string key, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/overview");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            using var response = await _a.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            if (done(json) || DateTime.UtcNow > deadline)
                return json;
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Overview_KeyBothSilosAccept_ForwardedSoBothAnswer()
    {
        var json = await OverviewOnAAsync(NewKey, j => j.GetProperty("silos").EnumerateArray().All(s => s.GetProperty("error").ValueKind == JsonValueKind.Null));

        var silos = json.GetProperty("silos").EnumerateArray().ToList();
        Assert.Equal([_a.Address.ToString(), _b.Address.ToString()], silos.Select(s => s.GetProperty("address").GetString()));
        Assert.All(silos, s => Assert.Equal(JsonValueKind.Null, s.GetProperty("error").ValueKind));
        Assert.True(silos[1].GetProperty("memory_mb").GetDouble() > 1);
    }

    [Fact]
    public async Task Overview_KeyOnlyAAccepts_BReportedAs401()
    {
        var json = await OverviewOnAAsync(OldKey, j => j.GetProperty("silos").EnumerateArray().Any(s => s.GetProperty("error").ValueKind == JsonValueKind.String));

        var b = json.GetProperty("silos").EnumerateArray().Single(s => s.GetProperty("address").GetString() == _b.Address.ToString());
        Assert.Contains("HTTP 401", b.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalOverview_OnBWithoutKey_Returns401()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(_b.HttpUrl) };

        using var response = await anonymous.GetAsync("/api/local/overview");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
