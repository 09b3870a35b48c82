using System.Net;
using Granary.Gateway.Cluster;
using Granary.Gateway.Configuration;
using Granary.Gateway.Diagnostics;
using Granary.Gateway.Fallback;
using Granary.Gateway.RateLimiting;
using Granary.Gateway.Tests.Fakes;
using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Granary.Tests.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Tests;

public sealed class TokenLeaseLimiterTests : IDisposable
{
    private readonly ManualTimeProvider _time = new();
    private readonly TestMeterFactory _meters = new();

    public void Dispose() => _meters.Dispose();

    private static IOptions<RateLimitOptions> Batched(int leaseTokens = 20, int idleMs = 2000, string mode = ConsistencyModes.Batched,
        string[]? batchedClients = null, string[]? exactClients = null) =>
        Options.Create(new RateLimitOptions
        {
            Mode = mode,
            LeaseTokens = leaseTokens,
            LeaseIdleMs = idleMs,
            BatchedClients = batchedClients ?? [],
            ExactClients = exactClients ?? [],
            FallbackCapacity = 2,
            FallbackRatePerSec = 1,
        });

    private (TokenLeaseLimiter Limiter, SiloCircuit Circuit, GatewayMetrics Metrics) Create(FakeGrainFactory grains, IOptions<RateLimitOptions> options,
        ClusterConnectionState? connection = null)
    {
        var circuit = new SiloCircuit(_time, TestOptions.Gateway(probeMs: 1000), connection ?? TestConnection.Connected(), NullLogger<SiloCircuit>.Instance);
        var metrics = new GatewayMetrics(_meters, ProxyModels.Registry(new RecordingPolicy(), _time));
        return (new TokenLeaseLimiter(grains.References, circuit, metrics, _time, options, NullLogger<TokenLeaseLimiter>.Instance), circuit, metrics);
    }

    /// <summary>A client grain backed by a real <see cref="TokenBucket"/> on the test clock, shared by several limiters.</summary>
    private static FakeClientGrain BucketGrain(TokenBucket bucket) => new()
    {
        LeaseBehavior = request =>
        {
            var granted = bucket.Lease(request.Requested, request.Returned, out var remaining, out var reset, out var next);
            return ValueTask.FromResult(new TokenLease(granted, bucket.Capacity, remaining, reset, next));
        },
    };

    [Fact]
    public async Task Acquire_FirstRequests_OneLeaseThenLocalSpendsAndPrefetchAtHalf()
    {
        var grains = new FakeGrainFactory();
        var (limiter, _, _) = Create(grains, Batched(leaseTokens: 20));

        for (var i = 0; i < 9; i++)
            Assert.True((await limiter.AcquireAsync("user1"))!.Value.Admitted);

        Assert.Equal([new LeaseTokens(20, 0)], grains.Client("user1").Leases);

        // The 10th spend leaves 10, half the batch: one background lease tops it up to 20.
        Assert.True((await limiter.AcquireAsync("user1"))!.Value.Admitted);
        Assert.Equal([new LeaseTokens(20, 0), new LeaseTokens(10, 0)], grains.Client("user1").Leases);
        Assert.Equal(20, limiter.HeldTokens);
    }

    [Fact]
    public async Task Acquire_TwoGatewaysOneBucket_AdmitTheLimitWithinTheStatedBound()
    {
        // Capacity 50, 100 tokens/s; two gateways each see 1 request per ms for 10 s (20 × the limit).
        var bucket = new TokenBucket(50, 100, _time);
        var grain = BucketGrain(bucket);
        var a = new FakeGrainFactory();
        var b = new FakeGrainFactory();
        a.Clients["c"] = grain;
        b.Clients["c"] = grain;
        const int LeaseTokens = 10;
        var (gatewayA, _, _) = Create(a, Batched(leaseTokens: LeaseTokens));
        var (gatewayB, _, _) = Create(b, Batched(leaseTokens: LeaseTokens));

        var admitted = 0;
        for (var ms = 0; ms < 10_000; ms++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            if ((await gatewayA.AcquireAsync("c"))!.Value.Admitted)
                admitted++;
            if ((await gatewayB.AcquireAsync("c"))!.Value.Admitted)
                admitted++;
        }

        // The bucket alone admits 50 + 100 × 10 = 1050; leases may add at most LeaseTokens per gateway,
        // and tokens still held at the end were taken from the bucket but not spent.
        var allowed = 50 + (100 * 10);
        var held = (int)(gatewayA.HeldTokens + gatewayB.HeldTokens);
        Assert.InRange(admitted, allowed - held - 2, allowed + (2 * LeaseTokens));
        Assert.InRange(admitted, allowed * 0.95, allowed * 1.05);
        // Far fewer grain calls than the 20,000 requests (exact mode makes one each): the empty bucket is
        // not asked again before its next token, so rejections cost no call.
        Assert.True(grain.Leases.Count < 20_000 / 5, $"{grain.Leases.Count} lease calls for 20000 requests");
    }

    [Fact]
    public async Task Acquire_BucketEmpty_RejectsLocallyUntilTheNextToken()
    {
        var grains = new FakeGrainFactory();
        grains.Client("user1").LeaseBehavior = _ => ValueTask.FromResult(new TokenLease(0, Limit: 10, Remaining: 0, ResetSeconds: 5, NextTokenMs: 1500));
        var (limiter, _, _) = Create(grains, Batched());

        var first = (await limiter.AcquireAsync("user1"))!.Value;
        _time.Advance(TimeSpan.FromMilliseconds(1000));
        var second = (await limiter.AcquireAsync("user1"))!.Value;

        Assert.False(first.Admitted);
        Assert.Equal(2, first.RetryAfterSeconds); // 1.5 s, rounded up
        Assert.False(second.Admitted);
        Assert.Equal(10, second.Limit);
        Assert.Single(grains.Client("user1").Leases); // no call while the bucket is known empty

        _time.Advance(TimeSpan.FromMilliseconds(600));
        await limiter.AcquireAsync("user1");
        Assert.Equal(2, grains.Client("user1").Leases.Count);
    }

    [Fact]
    public async Task Acquire_ConcurrentRequestsWithoutTokens_ShareOneLeaseCall()
    {
        var grains = new FakeGrainFactory();
        var pending = new TaskCompletionSource<TokenLease>(TaskCreationOptions.RunContinuationsAsynchronously);
        grains.Client("user1").LeaseBehavior = _ => new ValueTask<TokenLease>(pending.Task);
        var (limiter, _, _) = Create(grains, Batched(leaseTokens: 20));

        var waiting = Enumerable.Range(0, 5).Select(_ => limiter.AcquireAsync("user1").AsTask()).ToArray();
        Assert.All(waiting, t => Assert.False(t.IsCompleted));
        pending.SetResult(new TokenLease(20, 100, 80, 1, 0));
        var decisions = await Task.WhenAll(waiting);

        Assert.All(decisions, d => Assert.True(d!.Value.Admitted));
        Assert.Single(grains.Client("user1").Leases);
        Assert.Equal(15, limiter.HeldTokens);
    }

    [Fact]
    public async Task Acquire_MoreWaitersThanOneLease_AllAdmittedWhileTheBucketHasTokens()
    {
        var grains = new FakeGrainFactory();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        grains.Client("user1").LeaseBehavior = async r =>
        {
            await gate.Task;
            return new TokenLease(r.Requested, 1_000_000, 900_000, 1, 0);
        };
        var (limiter, _, _) = Create(grains, Batched(leaseTokens: 20));

        var waiting = Enumerable.Range(0, 64).Select(_ => limiter.AcquireAsync("user1").AsTask()).ToArray();
        gate.SetResult();
        var decisions = await Task.WhenAll(waiting);

        Assert.All(decisions, d => Assert.True(d!.Value.Admitted));
        // The first lease (20) served 20; the next one asked for a batch plus the 44 still waiting.
        Assert.True(grains.Client("user1").Leases.Count <= 3, string.Join(", ", grains.Client("user1").Leases));
    }

    [Fact]
    public async Task Acquire_LeaseCallFails_ThrowsOpensCircuitThenNullUntilProbe()
    {
        var grains = new FakeGrainFactory();
        grains.Client("user1").LeaseBehavior = _ => ValueTask.FromException<TokenLease>(new SiloUnavailableException("no silo"));
        var (limiter, circuit, _) = Create(grains, Batched());

        await Assert.ThrowsAsync<SiloUnavailableException>(() => limiter.AcquireAsync("user1").AsTask());

        Assert.True(circuit.InFallback);
        Assert.Equal(1, _meters.Sum("granary.gateway.grain_call_failures|operation=client.lease_tokens"));
        Assert.Null(await limiter.AcquireAsync("user1")); // circuit open: the caller decides locally
        Assert.Single(grains.Client("user1").Leases);
    }

    [Fact]
    public async Task Acquire_ClientNotConnected_NullWithoutLeaseCallAndUnspentTokensNotHandedBack()
    {
        var grains = new FakeGrainFactory();
        var connection = TestConnection.Connected();
        var (limiter, _, _) = Create(grains, Batched(leaseTokens: 20), connection);
        Assert.True((await limiter.AcquireAsync("held"))!.Value.Admitted); // 19 tokens held here

        connection.NotifyClusterConnectionLost();

        Assert.Null(await limiter.AcquireAsync("new")); // no lease: the caller decides locally
        Assert.True((await limiter.AcquireAsync("held"))!.Value.Admitted); // held tokens are still spent here
        Assert.Equal(18, await limiter.EvictAsync(all: true));
        Assert.Empty(grains.Client("new").Leases);
        Assert.Equal([new LeaseTokens(20, 0)], grains.Client("held").Leases); // nothing handed back while disconnected
        Assert.Equal(1, _meters.Sum("granary.gateway.grain_call_failures|operation=client.return_tokens"));
    }

    [Fact]
    public async Task EvictAsync_IdleLease_HandsBackUnspentTokens()
    {
        var grains = new FakeGrainFactory();
        var (limiter, _, _) = Create(grains, Batched(leaseTokens: 20, idleMs: 2000));
        await limiter.AcquireAsync("idle");
        _time.Advance(TimeSpan.FromMilliseconds(1500));
        await limiter.AcquireAsync("busy");

        _time.Advance(TimeSpan.FromMilliseconds(600));
        var returned = await limiter.EvictAsync(all: false);

        Assert.Equal(19, returned);
        Assert.Equal([new LeaseTokens(20, 0), new LeaseTokens(0, 19)], grains.Client("idle").Leases);
        Assert.Equal(1, limiter.Count);
        Assert.Equal(19, await limiter.EvictAsync(all: true)); // shutdown: the busy client's tokens too
        Assert.Equal(0, limiter.Count);
    }

    [Theory]
    [InlineData(ConsistencyModes.Exact, "a", false)]
    [InlineData(ConsistencyModes.Exact, "b", true)]
    [InlineData("batched", "a", true)]
    [InlineData("batched", "x", false)]
    public void IsBatched_DefaultAndPerClientLists(string mode, string client, bool expected)
    {
        var (limiter, _, _) = Create(new FakeGrainFactory(), Batched(mode: mode, batchedClients: ["b"], exactClients: ["x"]));
        Assert.Equal(expected, limiter.IsBatched(client));
    }

    [Fact]
    public async Task Middleware_BatchedClient_AdmitsFromLeaseWithHeadersAndFallsBackWhenSiloDown()
    {
        var grains = new FakeGrainFactory();
        var options = Batched(leaseTokens: 4);
        var (limiter, circuit, metrics) = Create(grains, options);
        var next = 0;
        var middleware = new RateLimitingMiddleware(_ => { next++; return Task.CompletedTask; }, grains.References, circuit,
            new LocalRateLimiter(_time, options), limiter, metrics, options, NullLogger<RateLimitingMiddleware>.Instance);
        grains.Client("user1").LeaseBehavior = r => ValueTask.FromResult(new TokenLease(r.Requested, Limit: 100, Remaining: 60, ResetSeconds: 4, NextTokenMs: 0));

        var context = Context("user1");
        await middleware.InvokeAsync(context);

        Assert.Equal(1, next);
        Assert.Equal(0, grains.Client("user1").Calls); // no exact-mode call
        Assert.Equal("100", context.Response.Headers["RateLimit-Limit"]);
        Assert.Equal("63", context.Response.Headers["RateLimit-Remaining"]); // 60 in the bucket + 3 held here

        // The silo goes away: a client without a lease is decided by the local fallback bucket (capacity 2).
        grains.Client("other").LeaseBehavior = _ => ValueTask.FromException<TokenLease>(new SiloUnavailableException("down"));
        var codes = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            var c = Context("other");
            await middleware.InvokeAsync(c);
            codes.Add(c.Response.StatusCode);
        }
        Assert.Equal([200, 200, 429], codes);
        Assert.Equal(3, _meters.Sum("granary.gateway.fallback_decisions|kind=rate_limit"));
    }

    private static DefaultHttpContext Context(string clientId)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Request.Headers["X-Client-ID"] = clientId;
        context.Response.Body = new MemoryStream();
        return context;
    }
}
