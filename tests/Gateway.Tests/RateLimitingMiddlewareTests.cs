using System.Net;
using System.Text;
using Granary.Gateway.Cluster;
using Granary.Gateway.Configuration;
using Granary.Gateway.Diagnostics;
using Granary.Gateway.Fallback;
using Granary.Gateway.RateLimiting;
using Granary.Gateway.Tests.Fakes;
using Granary.Grains.Contracts;
using Granary.Tests.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Tests;

public sealed class RateLimitingMiddlewareTests : IDisposable
{
    private readonly ManualTimeProvider _time = new();
    private readonly FakeGrainFactory _grains = new();
    private readonly TestMeterFactory _meters = new();
    private readonly ClusterConnectionState _connection = TestConnection.Connected();
    private readonly SiloCircuit _circuit;
    private readonly RateLimitingMiddleware _middleware;
    private int _nextCalls;

    public RateLimitingMiddlewareTests()
    {
        _circuit = new SiloCircuit(_time, TestOptions.Gateway(probeMs: 1000), _connection, NullLogger<SiloCircuit>.Instance);
        var registry = ProxyModels.Registry(new RecordingPolicy(), _time);
        var metrics = new GatewayMetrics(_meters, registry);
        _middleware = new RateLimitingMiddleware(_ => { _nextCalls++; return Task.CompletedTask; }, _grains.References, _circuit,
            new LocalRateLimiter(_time, TestOptions.RateLimit(capacity: 2, rate: 1)), Leases(TestOptions.RateLimit(), metrics), metrics, TestOptions.RateLimit(),
            NullLogger<RateLimitingMiddleware>.Instance);
    }

    public void Dispose() => _meters.Dispose();

    private TokenLeaseLimiter Leases(IOptions<RateLimitOptions> options, GatewayMetrics metrics) =>
        new(_grains.References, _circuit, metrics, _time, options, NullLogger<TokenLeaseLimiter>.Instance);

    private static DefaultHttpContext Context(string? clientId = "user1")
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("10.0.0.9");
        if (clientId is not null)
            context.Request.Headers["X-Client-ID"] = clientId;
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string Body(HttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());

    [Fact]
    public async Task Invoke_Admitted_SetsRateLimitHeadersAndContinues()
    {
        _grains.ClientBehavior = _ => ValueTask.FromResult(new RateLimitDecision(true, Limit: 100, Remaining: 42, RetryAfterSeconds: 0, ResetSeconds: 6));
        var context = Context();

        await _middleware.InvokeAsync(context);

        Assert.Equal(1, _nextCalls);
        Assert.Equal(1, _grains.Client("user1").Calls);
        Assert.Equal("100", context.Response.Headers["RateLimit-Limit"]);
        Assert.Equal("42", context.Response.Headers["RateLimit-Remaining"]);
        Assert.Equal("6", context.Response.Headers["RateLimit-Reset"]);
        Assert.False(context.Response.Headers.ContainsKey("Retry-After"));
    }

    [Fact]
    public async Task Invoke_Rejected_Exact429ContractBodyAndHeaders()
    {
        _grains.ClientBehavior = _ => ValueTask.FromResult(new RateLimitDecision(false, Limit: 20, Remaining: 0, RetryAfterSeconds: 3, ResetSeconds: 20));
        var context = Context();

        await _middleware.InvokeAsync(context);

        Assert.Equal(0, _nextCalls);
        Assert.Equal(429, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
        Assert.Equal("{\"code\":429,\"message\":\"Rate limit exceeded\"}", Body(context));
        Assert.Equal("3", context.Response.Headers["Retry-After"]);
        Assert.Equal("20", context.Response.Headers["RateLimit-Limit"]);
        Assert.Equal("0", context.Response.Headers["RateLimit-Remaining"]);
        Assert.Equal("20", context.Response.Headers["RateLimit-Reset"]);
        Assert.Equal(1, _meters.Sum("granary.gateway.rate_limited"));
    }

    [Fact]
    public async Task Invoke_NoHeader_UsesRemoteIpAsGrainKey()
    {
        await _middleware.InvokeAsync(Context(clientId: null));

        Assert.True(_grains.Clients.ContainsKey("10.0.0.9"));
    }

    [Fact]
    public async Task Invoke_InvalidClientId_400JsonAndNoGrainCall()
    {
        var context = Context("bad id!");

        await _middleware.InvokeAsync(context);

        Assert.Equal(400, context.Response.StatusCode);
        Assert.StartsWith("{\"code\":400,\"message\":\"Invalid X-Client-ID: ", Body(context));
        Assert.Empty(_grains.Clients);
        Assert.Equal(0, _nextCalls);
    }

    [Fact]
    public async Task Invoke_GrainTimesOut_LocalBucketDecidesAndCircuitSkipsCallsForProbeWindow()
    {
        _grains.ClientBehavior = _ => ValueTask.FromException<RateLimitDecision>(new TimeoutException("deadline"));

        // Local bucket: capacity 2, 1 token/s. The first call fails over to it.
        var first = Context();
        await _middleware.InvokeAsync(first);
        Assert.Equal(1, _grains.Client("user1").Calls);
        Assert.Equal(1, _nextCalls);
        Assert.Equal("2", first.Response.Headers["RateLimit-Limit"]);
        Assert.True(_circuit.InFallback);

        // Inside the probe window: no grain call at all.
        await _middleware.InvokeAsync(Context());
        var third = Context();
        await _middleware.InvokeAsync(third);
        Assert.Equal(1, _grains.Client("user1").Calls);
        Assert.Equal(429, third.Response.StatusCode);
        Assert.Equal("{\"code\":429,\"message\":\"Rate limit exceeded\"}", Body(third));
        Assert.Equal(3, _meters.Sum("granary.gateway.fallback_decisions|kind=rate_limit"));

        // After the window one request probes the grain again; it answers, and the circuit closes.
        _grains.ClientBehavior = null;
        _grains.Client("user1").Behavior = null;
        _time.Advance(TimeSpan.FromMilliseconds(1000));
        await _middleware.InvokeAsync(Context());
        Assert.Equal(2, _grains.Client("user1").Calls);
        Assert.False(_circuit.InFallback);
        await _middleware.InvokeAsync(Context());
        Assert.Equal(3, _grains.Client("user1").Calls);
    }

    [Fact]
    public async Task Invoke_SiloUnavailableAndProbeFailsAgain_StaysLocal()
    {
        _grains.ClientBehavior = _ => ValueTask.FromException<RateLimitDecision>(new SiloUnavailableException("no silo"));

        await _middleware.InvokeAsync(Context());
        _time.Advance(TimeSpan.FromMilliseconds(1500));
        await _middleware.InvokeAsync(Context());
        await _middleware.InvokeAsync(Context());

        Assert.Equal(2, _grains.Client("user1").Calls);
        Assert.True(_circuit.InFallback);
        Assert.Equal(3, _meters.Sum("granary.gateway.fallback_decisions|kind=rate_limit"));
    }

    [Fact]
    public async Task Invoke_ClientNotConnected_LocalDecisionWithoutGrainReferenceCounted()
    {
        _connection.NotifyClusterConnectionLost();

        var first = Context();
        await _middleware.InvokeAsync(first);
        await _middleware.InvokeAsync(Context());
        var third = Context();
        await _middleware.InvokeAsync(third);

        Assert.Equal(0, _grains.GetGrainCalls);
        Assert.Equal("2", first.Response.Headers["RateLimit-Limit"]);
        Assert.Equal(429, third.Response.StatusCode);
        Assert.Equal(2, _nextCalls);
        Assert.Equal(3, _meters.Sum("granary.gateway.fallback_decisions|kind=rate_limit"));
        Assert.Equal(0, _meters.Sum("granary.gateway.grain_call_failures|operation=client.try_acquire"));

        // Connected again: the grain decides at once (the circuit was never opened by a failure).
        _connection.NotifyGatewayCountChanged(1, 0, connectionRecovered: true);
        await _middleware.InvokeAsync(Context());
        Assert.Equal(1, _grains.Client("user1").Calls);
        Assert.Equal(3, _meters.Sum("granary.gateway.fallback_decisions|kind=rate_limit"));
    }

    [Fact]
    public async Task Invoke_NoGrainTypeInClusterManifest_LocalDecisionNot400()
    {
        _grains.GetGrainFailure = new ArgumentException("Could not find an implementation for interface granary.IClientGrain");
        var context = Context();

        await _middleware.InvokeAsync(context);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal(1, _nextCalls);
        Assert.True(_circuit.InFallback);
        Assert.Equal(1, _meters.Sum("granary.gateway.fallback_decisions|kind=rate_limit"));
    }

    [Fact]
    public async Task Invoke_ExactMode_GrainReferenceMadeOncePerClient()
    {
        for (var i = 0; i < 3; i++)
            await _middleware.InvokeAsync(Context());

        Assert.Equal(3, _grains.Client("user1").Calls);
        Assert.Equal(1, _grains.GetGrainCalls);
    }

    [Fact]
    public async Task Invoke_GrainBadRequest_400AndCircuitStaysClosed()
    {
        // Orleans rethrows the grain's ArgumentException on the caller.
        _grains.ClientBehavior = _ => ValueTask.FromException<RateLimitDecision>(new ArgumentException("key too long"));
        var context = Context();

        await _middleware.InvokeAsync(context);

        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal("{\"code\":400,\"message\":\"Invalid client: key too long\"}", Body(context));
        Assert.Equal(0, _meters.Sum("granary.gateway.fallback_decisions|kind=rate_limit"));
        Assert.False(_circuit.InFallback);
        Assert.Equal(0, _nextCalls);
    }

    [Fact]
    public async Task Invoke_UnexpectedException_Propagates()
    {
        _grains.ClientBehavior = _ => ValueTask.FromException<RateLimitDecision>(new InvalidOperationException("bug"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => _middleware.InvokeAsync(Context()));
        Assert.False(_circuit.InFallback);
    }

    [Fact]
    public async Task Invoke_Disabled_PassesThroughWithoutGrainCall()
    {
        var registry = ProxyModels.Registry(new RecordingPolicy(), _time);
        var metrics = new GatewayMetrics(_meters, registry);
        var options = Options.Create(new RateLimitOptions { Enabled = false });
        var middleware = new RateLimitingMiddleware(_ => { _nextCalls++; return Task.CompletedTask; }, _grains.References, _circuit,
            new LocalRateLimiter(_time, TestOptions.RateLimit()), Leases(options, metrics), metrics, options, NullLogger<RateLimitingMiddleware>.Instance);

        await middleware.InvokeAsync(Context("bad id!"));

        Assert.Equal(1, _nextCalls);
        Assert.Empty(_grains.Clients);
    }

    [Fact]
    public void LocalRateLimiter_MoreClientsThanBound_TableCleared()
    {
        var limiter = new LocalRateLimiter(_time, Options.Create(new RateLimitOptions { FallbackCapacity = 1, FallbackRatePerSec = 1, FallbackMaxClients = 2 }));
        Assert.True(limiter.TryAcquire("a").Admitted);
        Assert.False(limiter.TryAcquire("a").Admitted);
        limiter.TryAcquire("b");

        limiter.TryAcquire("c"); // third client: table cleared, "a" starts again with a full bucket

        Assert.True(limiter.Count <= 2);
        Assert.True(limiter.TryAcquire("a").Admitted);
    }
}
