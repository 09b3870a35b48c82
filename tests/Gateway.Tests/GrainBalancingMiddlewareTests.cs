using System.Net.Sockets;
using System.Text;
using Granary.Gateway.Balancing;
using Granary.Gateway.Diagnostics;
using Granary.Gateway.Fallback;
using Granary.Gateway.Tests.Fakes;
using Granary.Grains.Contracts;
using Granary.Tests.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Granary.Gateway.Tests;

public sealed class GrainBalancingMiddlewareTests : IDisposable
{
    private readonly ManualTimeProvider _time = new();
    private readonly FakeGrainFactory _grains = new();
    private readonly TestMeterFactory _meters = new();
    private readonly RecordingPolicy _policy = new();
    private readonly ClusterBalancerRegistry _registry;
    private readonly SiloCircuit _circuit;
    private readonly GatewayMetrics _metrics;
    private readonly BackendReporter _reporter;
    private readonly ClusterState _cluster = ProxyModels.Cluster("c", null, "b1", "b2");
    private readonly List<DestinationState> _destinations;

    public GrainBalancingMiddlewareTests()
    {
        _registry = ProxyModels.Registry(_policy, _time);
        _circuit = new SiloCircuit(_time, TestOptions.Gateway(), TestConnection.Connected(), NullLogger<SiloCircuit>.Instance);
        _metrics = new GatewayMetrics(_meters, _registry);
        _reporter = new BackendReporter(_grains.References, _circuit, _metrics, _time, new GatewayIdentity(TestOptions.Gateway()), NullLogger<BackendReporter>.Instance);
        _destinations = ProxyModels.Destinations(_cluster);
    }

    public void Dispose() => _meters.Dispose();

    private sealed class ErrorFeature(ForwarderError error, Exception? exception) : IForwarderErrorFeature
    {
        public ForwarderError Error { get; } = error;

        public Exception? Exception { get; } = exception;
    }

    private static readonly HttpRequestException Refused =
        new(HttpRequestError.ConnectionError, "Connection refused", new SocketException((int)SocketError.ConnectionRefused));

    private GrainBalancingMiddleware Middleware(RequestDelegate next) =>
        new(next, _registry, _reporter, _metrics, _time, NullLogger<GrainBalancingMiddleware>.Instance);

    private DefaultHttpContext Context(string method = "GET")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Response.Body = new MemoryStream();
        context.Features.Set<IReverseProxyFeature>(new FakeProxyFeature(_cluster, _destinations));
        return context;
    }

    private static string Body(HttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());

    [Fact]
    public async Task Invoke_Healthy_NarrowsToChosenCountsInFlightAndReportsOutcome()
    {
        _policy.Choose = _ => 1;
        IReadOnlyList<DestinationState>? seen = null;
        var localDuringRequest = -1;
        var middleware = Middleware(ctx =>
        {
            seen = ctx.GetReverseProxyFeature().AvailableDestinations;
            localDuringRequest = _registry.FindEntry("c", "b2")!.LocalInFlight;
            ctx.Response.StatusCode = 200;
            return Task.CompletedTask;
        });

        await middleware.InvokeAsync(Context());

        Assert.Equal("b2", Assert.Single(seen!).DestinationId);
        Assert.Equal(1, localDuringRequest);
        Assert.Equal(0, _registry.FindEntry("c", "b2")!.LocalInFlight);
        var grain = _grains.Backend("c/b2");
        // Nothing was in flight to b2, so each change went out at once: the start (1 in flight), then the end.
        var batches = grain.Batches.ToArray();
        Assert.Equal(2, batches.Length);
        Assert.Equal(("gw-test", 1, 10_000, 0), (batches[0].GatewayId, batches[0].InFlight, batches[0].LeaseMs, batches[0].Outcomes.Count));
        var outcome = Assert.Single(grain.BatchedOutcomes);
        Assert.Equal((0, OutcomeKind.Success, "gw-test"), (outcome.InFlight, outcome.Outcome, outcome.GatewayId));
        Assert.Empty(_grains.Backend("c/b1").Batches);
        Assert.Equal(1, _meters.Sum("granary.gateway.requests|cluster=c|destination=b2|outcome=success"));
    }

    [Fact]
    public async Task Invoke_SameCachedListForSameDestination_NoNewAllocationPerRequest()
    {
        var lists = new List<IReadOnlyList<DestinationState>>();
        var middleware = Middleware(ctx => { lists.Add(ctx.GetReverseProxyFeature().AvailableDestinations); return Task.CompletedTask; });

        await middleware.InvokeAsync(Context());
        await middleware.InvokeAsync(Context());

        Assert.Same(lists[0], lists[1]);
    }

    [Fact]
    public async Task Invoke_AllUnhealthy_503JsonAndNoForward()
    {
        var balancer = _registry.GetOrCreate(_cluster);
        foreach (var slot in balancer.Slots)
            slot.Entry.ApplyStatus(new BackendStatus(true, false, false, true, 0, 0, 1, 0, 0), 0, slot.Entry.NextSequence(), _time.GetTimestamp());
        var forwarded = false;
        var context = Context();

        await Middleware(_ => { forwarded = true; return Task.CompletedTask; }).InvokeAsync(context);

        Assert.False(forwarded);
        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
        Assert.Equal("{\"code\":503,\"message\":\"No healthy destination\"}", Body(context));
    }

    [Fact]
    public async Task Invoke_ConnectFailureOnGet_RetriedOnceOnAnotherDestinationAndFailedOneAvoided()
    {
        var attempts = new List<string>();
        var middleware = Middleware(ctx =>
        {
            var destination = ctx.GetReverseProxyFeature().AvailableDestinations[0].DestinationId;
            attempts.Add(destination);
            if (destination == "b1")
            {
                ctx.Response.StatusCode = 502;
                ctx.Features.Set<IForwarderErrorFeature>(new ErrorFeature(ForwarderError.Request, Refused));
            }
            else
            {
                Assert.Equal(200, ctx.Response.StatusCode);
                Assert.Null(ctx.Features.Get<IForwarderErrorFeature>());
                ctx.Response.StatusCode = 204;
            }
            return Task.CompletedTask;
        });
        var context = Context();

        await middleware.InvokeAsync(context);

        Assert.Equal(["b1", "b2"], attempts);
        Assert.Equal(204, context.Response.StatusCode);
        Assert.Equal(OutcomeKind.ConnectFailure, Assert.Single(_grains.Backend("c/b1").BatchedOutcomes).Outcome);
        Assert.Equal(OutcomeKind.Success, Assert.Single(_grains.Backend("c/b2").BatchedOutcomes).Outcome);
        Assert.Equal(1, _meters.Sum("granary.gateway.retries|cluster=c"));

        // The next request avoids b1 without trying it.
        attempts.Clear();
        await middleware.InvokeAsync(Context());
        Assert.Equal(["b2"], attempts);
    }

    [Fact]
    public async Task Invoke_ConnectFailureOnPost_NotRetried502Json()
    {
        var attempts = 0;
        var middleware = Middleware(ctx =>
        {
            attempts++;
            ctx.Response.StatusCode = 502;
            ctx.Features.Set<IForwarderErrorFeature>(new ErrorFeature(ForwarderError.Request, Refused));
            return Task.CompletedTask;
        });
        var context = Context("POST");

        await middleware.InvokeAsync(context);

        Assert.Equal(1, attempts);
        Assert.Equal(502, context.Response.StatusCode);
        Assert.Equal("{\"code\":502,\"message\":\"Backend failed: Request (Connection refused)\"}", Body(context));
    }

    [Fact]
    public async Task Invoke_BothDestinationsRefuse_OneRetryThen502()
    {
        var attempts = 0;
        var middleware = Middleware(ctx =>
        {
            attempts++;
            ctx.Response.StatusCode = 502;
            ctx.Features.Set<IForwarderErrorFeature>(new ErrorFeature(ForwarderError.Request, Refused));
            return Task.CompletedTask;
        });
        var context = Context();

        await middleware.InvokeAsync(context);

        Assert.Equal(2, attempts);
        Assert.Equal(502, context.Response.StatusCode);
        Assert.StartsWith("{\"code\":502,\"message\":\"Backend failed: ", Body(context));
    }

    [Fact]
    public async Task Invoke_Backend500_NotRetriedAndReportedAsServerError()
    {
        var attempts = 0;
        var context = Context();

        await Middleware(ctx => { attempts++; ctx.Response.StatusCode = 500; return Task.CompletedTask; }).InvokeAsync(context);

        Assert.Equal(1, attempts);
        Assert.Equal(500, context.Response.StatusCode);
        Assert.Equal(OutcomeKind.ServerError, Assert.Single(_grains.Backend("c/b1").BatchedOutcomes).Outcome);
    }

    [Fact]
    public async Task Invoke_Timeout_504Json()
    {
        var context = Context();

        await Middleware(ctx =>
        {
            ctx.Response.StatusCode = 504;
            ctx.Features.Set<IForwarderErrorFeature>(new ErrorFeature(ForwarderError.RequestTimedOut, new TaskCanceledException()));
            return Task.CompletedTask;
        }).InvokeAsync(context);

        Assert.Equal(504, context.Response.StatusCode);
        Assert.Equal(OutcomeKind.Timeout, Assert.Single(_grains.Backend("c/b1").BatchedOutcomes).Outcome);
    }

    [Fact]
    public async Task Invoke_GrainReportsFail_RequestStillServedAndCircuitOpens()
    {
        _grains.Backend("c/b1").Failure = new TimeoutException("deadline");
        var context = Context();

        await Middleware(ctx => { ctx.Response.StatusCode = 200; return Task.CompletedTask; }).InvokeAsync(context);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.True(_circuit.InFallback);
        Assert.True(_meters.Sum("granary.gateway.grain_call_failures|operation=backend.report") >= 1);

        // While the circuit is open, request-path reports are not even sent.
        _grains.Backend("c/b1").Failure = null;
        await Middleware(ctx => Task.CompletedTask).InvokeAsync(Context());
        Assert.Empty(_grains.Backend("c/b1").Batches);
    }

    [Fact]
    public async Task Invoke_StatusFromOtherGateways_FedToPolicy()
    {
        _grains.Backend("c/b1").OthersInFlight = 6;
        var middleware = Middleware(_ => Task.CompletedTask);

        await middleware.InvokeAsync(Context()); // b1 reports, learns 6 others
        await middleware.InvokeAsync(Context());

        Assert.Equal(6, _policy.LastCandidates.Single(c => c.DestinationId == "b1").InFlight);
        Assert.Equal(0, _policy.LastCandidates.Single(c => c.DestinationId == "b2").InFlight);
    }

    [Fact]
    public async Task Invoke_BatchedCluster_NoPerRequestCallsThenOneBatchPerDestination()
    {
        var cluster = ProxyModels.Cluster("batched", new Dictionary<string, string> { ["Granary.Mode"] = "Batched" }, "b1");
        var destinations = ProxyModels.Destinations(cluster);
        var flusher = new BatchedReportFlusher(_registry, _reporter, _time, TestOptions.Gateway());
        var codes = new[] { 200, 200, 503 };
        var next = 0;
        var middleware = Middleware(ctx =>
        {
            ctx.Response.StatusCode = codes[next++];
            _time.Advance(TimeSpan.FromMilliseconds(4));
            return Task.CompletedTask;
        });

        for (var i = 0; i < codes.Length; i++)
        {
            var context = new DefaultHttpContext();
            context.Response.Body = new MemoryStream();
            context.Features.Set<IReverseProxyFeature>(new FakeProxyFeature(cluster, destinations));
            await middleware.InvokeAsync(context);
        }

        var grain = _grains.Backend("batched/b1");
        Assert.Empty(grain.Batches);

        flusher.FlushOnce();
        flusher.FlushOnce(); // nothing changed since: nothing sent

        var batch = Assert.Single(grain.Batches);
        Assert.Equal("gw-test", batch.GatewayId);
        Assert.Equal(0, batch.InFlight);
        Assert.Equal([OutcomeKind.Success, OutcomeKind.Success, OutcomeKind.ServerError], batch.Outcomes.Select(o => o.Outcome));
        Assert.All(batch.Outcomes, o => Assert.Equal(4, o.LatencyMs, 3));
    }

    [Fact]
    public async Task Invoke_BatchedCluster_RequestInFlightAtFlushIsCounted()
    {
        var cluster = ProxyModels.Cluster("batched", new Dictionary<string, string> { ["Granary.Mode"] = "batched" }, "b1");
        var destinations = ProxyModels.Destinations(cluster);
        var flusher = new BatchedReportFlusher(_registry, _reporter, _time, TestOptions.Gateway());
        var release = new TaskCompletionSource();
        var started = new TaskCompletionSource();
        var middleware = Middleware(async ctx =>
        {
            started.SetResult();
            await release.Task;
            ctx.Response.StatusCode = 200;
        });
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        context.Features.Set<IReverseProxyFeature>(new FakeProxyFeature(cluster, destinations));

        var request = middleware.InvokeAsync(context);
        await started.Task;
        flusher.FlushOnce();
        release.SetResult();
        await request;
        flusher.FlushOnce();

        var batches = _grains.Backend("batched/b1").Batches.ToArray();
        Assert.Equal(2, batches.Length);
        Assert.Equal(1, batches[0].InFlight);
        Assert.Empty(batches[0].Outcomes);
        Assert.Equal(0, batches[1].InFlight);
        Assert.Single(batches[1].Outcomes);
    }

    [Fact]
    public async Task Invoke_ExactClusterReportInFlight_LaterChangesCoalescedIntoOneReport()
    {
        _policy.Choose = _ => 0;
        var grain = _grains.Backend("c/b1");
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        grain.Hold = hold;
        var middleware = Middleware(ctx => { ctx.Response.StatusCode = 200; return Task.CompletedTask; });

        for (var i = 0; i < 5; i++)
            await middleware.InvokeAsync(Context());
        Assert.Single(grain.Batches); // the first start; everything after waits for its answer

        grain.Hold = null;
        hold.SetResult();
        Assert.True(SpinWait.SpinUntil(() => grain.Batches.Count == 2, TimeSpan.FromSeconds(10)), "the coalesced report was not sent");

        var second = grain.Batches.ToArray()[1];
        Assert.Equal(0, second.InFlight);
        Assert.Equal(5, second.Outcomes.Count);
        Assert.Equal(5, grain.BatchedOutcomes.Count);
    }
}
