using Granary.Gateway.Diagnostics;
using Granary.Gateway.Errors;
using Granary.Grains.Contracts;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Granary.Gateway.Balancing;

/// <summary>
/// Steps 2–3 of the per-request path, in YARP's proxy pipeline before <c>UseLoadBalancing()</c>:
/// picks a healthy destination with the cluster's grain-backed policy, narrows
/// <see cref="IReverseProxyFeature.AvailableDestinations"/> to it, counts the request in flight
/// (reported to the backend grain without waiting; in a batched cluster, collected for the next
/// batch), forwards, then reports the outcome and latency (likewise).
/// An idempotent request whose destination failed at connect time, before any response byte, is
/// retried once on another healthy destination (the failed one is avoided locally until its grain
/// says otherwise). 503 JSON when no destination is healthy; 502 (504 on timeout) JSON when the
/// forward failed and nothing was sent yet.
/// </summary>
internal sealed class GrainBalancingMiddleware
{
    private static readonly byte[] NoHealthyBody = JsonErrors.Render(StatusCodes.Status503ServiceUnavailable, "No healthy destination");

    private readonly RequestDelegate _next;
    private readonly ClusterBalancerRegistry _registry;
    private readonly BackendReporter _reporter;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<GrainBalancingMiddleware> _logger;

    public GrainBalancingMiddleware(RequestDelegate next, ClusterBalancerRegistry registry, BackendReporter reporter, GatewayMetrics metrics,
        TimeProvider time, ILogger<GrainBalancingMiddleware> logger)
    {
        _next = next;
        _registry = registry;
        _reporter = reporter;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var feature = context.GetReverseProxyFeature();
        var balancer = feature.Route.Cluster is { } clusterState ? _registry.GetOrCreate(clusterState) : _registry.GetOrCreate(feature.Cluster);
        var hashKey = balancer.NeedsHashKey ? RateLimiting.ClientIdentity.ResolveForHashing(context) : null;
        var available = feature.AvailableDestinations;

        var selection = balancer.Select(available, hashKey, exclude: null, _time.GetTimestamp());
        if (selection.UsedStaleData)
            _metrics.FallbackDecision(FallbackKinds.Balancing);
        if (selection.Entry is null)
        {
            _metrics.NoHealthyDestination(balancer.ClusterId);
            Log.NoHealthyDestination(_logger, balancer.ClusterId);
            return JsonErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, NoHealthyBody);
        }

        feature.AvailableDestinations = selection.Destinations!;
        return ProxyAsync(context, feature, balancer, available, hashKey, selection.Entry, retried: false);
    }

    // One async frame per attempt: the first attempt, and the retry (if any) runs as a nested call
    // that also writes the error, so the outer one returns right after it.
    private async Task ProxyAsync(HttpContext context, IReverseProxyFeature feature, ClusterBalancer balancer,
        IReadOnlyList<DestinationState> available, string? hashKey, DestinationEntry entry, bool retried)
    {
        var started = Begin(balancer, entry);
        var outcome = OutcomeKind.ServerError;
        try
        {
            await _next(context);
            outcome = OutcomeClassifier.Classify(context);
        }
        catch when (context.RequestAborted.IsCancellationRequested)
        {
            outcome = OutcomeKind.Canceled;
            throw;
        }
        finally
        {
            End(balancer, entry, started, outcome);
        }

        if (!retried && outcome == OutcomeKind.ConnectFailure && ShouldRetry(context))
        {
            entry.MarkUnhealthy(_time.GetTimestamp());
            var retry = balancer.Select(available, hashKey, exclude: entry, _time.GetTimestamp());
            if (retry.Entry is not null)
            {
                Log.Retrying(_logger, balancer.ClusterId, context.Request.Method, entry.DestinationId, retry.Entry.DestinationId);
                _metrics.Retried(balancer.ClusterId);
                context.Features.Set<IForwarderErrorFeature>(null);
                context.Response.StatusCode = StatusCodes.Status200OK;
                feature.AvailableDestinations = retry.Destinations!;
                feature.ProxiedDestination = null;
                await ProxyAsync(context, feature, balancer, available, hashKey, retry.Entry, retried: true);
                return;
            }
        }

        var error = context.Features.Get<IForwarderErrorFeature>();
        if (error is not null && error.Error != ForwarderError.None && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            // [limits] A chunked body that went past the body limit is the client's fault: 413, not 502.
            if (Limits.RequestBodyLimitMiddleware.IsBodyTooLarge(error))
            {
                await Limits.RequestBodyLimitMiddleware.WriteForwardedTooLargeAsync(context, _metrics);
                return;
            }
            var code = error.Error == ForwarderError.RequestTimedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway;
            context.Response.Clear();
            await JsonErrors.WriteAsync(context, code, "Backend failed: " + Describe(error));
        }
    }

    /// <summary>Counts the request in flight and reports it (exact) or marks it for the next batch; returns the start timestamp.</summary>
    private long Begin(ClusterBalancer balancer, DestinationEntry entry)
    {
        entry.IncrementLocal();
        _reporter.ReportStarted(entry, balancer.Settings.Batched);
        return _time.GetTimestamp();
    }

    /// <summary>Releases the in-flight slot and reports the outcome and latency.</summary>
    private void End(ClusterBalancer balancer, DestinationEntry entry, long started, OutcomeKind outcome)
    {
        entry.DecrementLocal();
        var latencyMs = _time.GetElapsedTime(started).TotalMilliseconds;
        _reporter.ReportFinished(entry, latencyMs, outcome, balancer.Settings.Batched);
        _metrics.RequestFinished(balancer.ClusterId, entry.DestinationId, outcome, latencyMs);
    }

    private static bool ShouldRetry(HttpContext context) =>
        !context.Response.HasStarted
        && !context.RequestAborted.IsCancellationRequested
        && OutcomeClassifier.IsIdempotent(context.Request.Method);

    private static string Describe(IForwarderErrorFeature error)
    {
        var reason = error.Exception switch
        {
            null => "",
            HttpRequestException { InnerException: { } inner } => inner.Message,
            { } ex => ex.Message,
        };
        return reason.Length == 0 ? error.Error.ToString() : $"{error.Error} ({reason})";
    }
}
