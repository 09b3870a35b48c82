using Granary.Gateway.Balancing;
using Granary.Gateway.Cluster;
using Granary.Gateway.Configuration;
using Granary.Gateway.Diagnostics;
using Granary.Gateway.Fallback;
using Granary.Gateway.RateLimiting;
using Granary.Gateway.Tests.Fakes;
using Granary.Tests.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Tests;

public sealed class GatewayHeartbeatTests : IDisposable
{
    private readonly ManualTimeProvider _time = new();
    private readonly FakeGrainFactory _grains = new();
    private readonly TestMeterFactory _meters = new();
    private readonly ClusterBalancerRegistry _registry;
    private readonly ClusterConnectionState _connection = TestConnection.Connected();
    private readonly SiloCircuit _circuit;
    private readonly GatewayMetrics _metrics;
    private readonly GatewayHeartbeat _heartbeat;

    public GatewayHeartbeatTests()
    {
        var options = TestOptions.Gateway();
        _registry = ProxyModels.Registry(new RecordingPolicy(), _time);
        _circuit = new SiloCircuit(_time, options, _connection, NullLogger<SiloCircuit>.Instance);
        _metrics = new GatewayMetrics(_meters, _registry);
        _heartbeat = new GatewayHeartbeat(_grains.References, new GatewayIdentity(options), _circuit, _metrics, _registry, _time, _connection,
            NullLogger<GatewayHeartbeat>.Instance);
    }

    public void Dispose() => _meters.Dispose();

    private FakeGatewayGrain Grain => _grains.Gateway("gw-test");

    private RateLimitingMiddleware Middleware(bool enabled)
    {
        var options = Options.Create(new RateLimitOptions { Enabled = enabled });
        return new(_ => Task.CompletedTask, _grains.References, _circuit, new LocalRateLimiter(_time, TestOptions.RateLimit(capacity: 1000, rate: 1000)),
            new TokenLeaseLimiter(_grains.References, _circuit, _metrics, _time, options, NullLogger<TokenLeaseLimiter>.Instance), _metrics, options,
            NullLogger<RateLimitingMiddleware>.Instance);
    }

    private static DefaultHttpContext Request()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers["X-Client-ID"] = "user1";
        context.Response.Body = new MemoryStream();
        return context;
    }

    [Fact]
    public async Task Beat_RequestsThroughMiddlewareInOneSecond_ReportsThatRate()
    {
        var enabled = Middleware(enabled: true);
        var disabled = Middleware(enabled: false);
        for (var i = 0; i < 30; i++)
            await enabled.InvokeAsync(Request());
        for (var i = 0; i < 20; i++)
            await disabled.InvokeAsync(Request());
        _time.Advance(TimeSpan.FromSeconds(1));

        await _heartbeat.BeatAsync();

        var stats = Assert.Single(Grain.Reports);
        Assert.Equal("gw-test", stats.GatewayId);
        Assert.Equal(50, stats.RequestsPerSec, 6);
        Assert.False(stats.Fallback);
        Assert.True(stats.SiloConnected);
        Assert.Equal(0, stats.InFlight);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), stats.ReportedAtUnixMs);
    }

    [Fact]
    public async Task Beat_RateIsPerElapsedSecondSincePreviousBeat()
    {
        for (var i = 0; i < 10; i++)
            _metrics.RequestReceived();
        _time.Advance(TimeSpan.FromSeconds(1));
        await _heartbeat.BeatAsync();
        for (var i = 0; i < 40; i++)
            _metrics.RequestReceived();
        _time.Advance(TimeSpan.FromSeconds(2)); // a late beat: 40 requests over 2 s

        await _heartbeat.BeatAsync();

        Assert.Equal([10.0, 20.0], Grain.Reports.Select(r => r.RequestsPerSec));
    }

    [Fact]
    public async Task Beat_LocalDecisionSincePreviousBeat_FallbackOnlyForThatBeat()
    {
        _metrics.FallbackDecision(FallbackKinds.Balancing);
        await _heartbeat.BeatAsync();
        await _heartbeat.BeatAsync();

        Assert.Equal([true, false], Grain.Reports.Select(r => r.Fallback));
    }

    [Fact]
    public async Task Beat_CircuitOpen_ReportsFallbackUntilClosed()
    {
        _circuit.OnFailure(new TimeoutException("deadline"));
        await _heartbeat.BeatAsync();
        _circuit.OnSuccess();
        await _heartbeat.BeatAsync();

        Assert.Equal([true, false], Grain.Reports.Select(r => r.Fallback));
    }

    [Fact]
    public async Task Beat_LocalInFlight_ReportedWithConnectedClient()
    {
        var balancer = _registry.GetOrCreate(ProxyModels.Cluster("c", null, "b1", "b2"));
        balancer.Slots[0].Entry.IncrementLocal();
        balancer.Slots[1].Entry.IncrementLocal();
        balancer.Slots[1].Entry.IncrementLocal();

        await _heartbeat.BeatAsync();

        var stats = Assert.Single(Grain.Reports);
        Assert.Equal((3L, true), (stats.InFlight, stats.SiloConnected));
    }

    [Fact]
    public async Task Beat_ConnectionLost_NoGrainCallUntilReconnectedThenRateSinceLastSample()
    {
        _connection.NotifyClusterConnectionLost();
        for (var i = 0; i < 10; i++)
            _metrics.RequestReceived();
        _time.Advance(TimeSpan.FromSeconds(1));

        await _heartbeat.BeatAsync();

        Assert.Equal(0, _grains.GetGrainCalls);
        Assert.Empty(_grains.Gateways);
        Assert.Equal(0, _meters.Sum("granary.gateway.grain_call_failures|operation=gateway.report"));

        _connection.NotifyGatewayCountChanged(1, 0, connectionRecovered: true);
        for (var i = 0; i < 4; i++)
            _metrics.RequestReceived();
        _time.Advance(TimeSpan.FromSeconds(1));
        await _heartbeat.BeatAsync();

        var stats = Assert.Single(Grain.Reports);
        Assert.Equal((4.0, true), (stats.RequestsPerSec, stats.SiloConnected));
    }

    [Fact]
    public async Task Beat_GrainCallFails_SwallowedAndCounted()
    {
        Grain.Failure = new SiloUnavailableException("no silo");

        await _heartbeat.BeatAsync();

        Assert.Empty(Grain.Reports);
        Assert.Equal(1, _meters.Sum("granary.gateway.grain_call_failures|operation=gateway.report"));
        Assert.False(_circuit.InFallback); // a heartbeat does not drive the circuit
    }

    [Fact]
    public async Task Execute_ClockAdvances_BeatsOncePerInterval()
    {
        await _heartbeat.StartAsync(CancellationToken.None);
        try
        {
            // The next delay is registered just after a beat: advance in steps until three beats went out.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Grain.Reports.Count < 3 && DateTime.UtcNow < deadline)
            {
                _time.Advance(GatewayHeartbeat.Interval);
                await Task.Delay(20);
            }
        }
        finally
        {
            await _heartbeat.StopAsync(CancellationToken.None);
        }
        Assert.True(Grain.Reports.Count >= 3, $"{Grain.Reports.Count} beats");
    }
}
