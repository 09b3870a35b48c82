using System.Net;

namespace Granary.Silo.Tests;

public sealed class PublicReadsTests(PublicReadsSiloFixture silo) : IClassFixture<PublicReadsSiloFixture>
{
    private readonly HttpClient _http = silo.Http;

    [Theory]
    [InlineData("/clients")]
    [InlineData("/api/overview")]
    [InlineData("/api/backends")]
    [InlineData("/api/clients")]
    [InlineData("/healthz")]
    public async Task Reads_NoKey_Return200(string path)
    {
        using var response = await _http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Writes_NoKey_StillReturn401()
    {
        var post = await _http.SendAsync(HttpMethod.Post, "/clients", "{\"client_id\":\"pr-1\",\"capacity\":5,\"rate_per_sec\":1}");
        var put = await _http.SendAsync(HttpMethod.Put, "/clients/pr-1", "{\"capacity\":9}");
        var delete = await _http.SendAsync(HttpMethod.Delete, "/clients/pr-1");

        Assert.Equal(HttpStatusCode.Unauthorized, post.Status);
        HttpJson.AssertError(post.Body, HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Unauthorized, put.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, delete.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.SendAsync(HttpMethod.Get, "/clients/pr-1")).Status);
    }

    [Fact]
    public async Task Metrics_PublicMetricsFalse_NeedTheKey()
    {
        using var without = await _http.GetAsync("/metrics");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", PublicReadsSiloFixture.Key);
        using var with = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
        Assert.Contains("granary_silo_auth_failures_total{reason=\"missing\"}", await with.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/orleans/")]
    [InlineData("/orleans/ClusterStats")]
    public async Task Orleans_PublicReads_StillNeedsTheKey(string path)
    {
        using var response = await _http.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
