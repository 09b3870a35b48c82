using System.Diagnostics;
using System.Diagnostics.Metrics;
using Granary.Gateway.Balancing;
using Granary.Gateway.Cluster;
using Granary.Grains.Contracts;

namespace Granary.Gateway.Diagnostics;

/// <summary>
/// The gateway's instruments (meter <c>Granary.Gateway</c>), created from <see cref="IMeterFactory"/>.
/// Tag arrays are built with <see cref="System.Diagnostics.TagList"/> (no allocation for up to 8 tags).
/// Also keeps two plain totals for the heartbeat (<see cref="RequestsReceived"/>, <see cref="FallbackDecisions"/>).
/// </summary>
internal sealed class GatewayMetrics
{
    /// <summary>Meter name.</summary>
    public const string MeterName = "Granary.Gateway";

    private static readonly string[] OutcomeNames = ["success", "server_error", "connect_failure", "timeout", "canceled"];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _fallbackDecisions;
    private readonly Counter<long> _noHealthyDestination;
    private readonly Counter<long> _grainCallFailures;
    private readonly Counter<long> _invalidClientIds;
    private readonly Counter<long> _limitRejections;
    private long _requestsReceived;
    private long _fallbackDecisionCount;

    /// <param name="meterFactory">The host's meter factory.</param>
    /// <param name="registry">The balancers (the in-flight gauge).</param>
    /// <param name="connection">The cluster client's state (the connected gauge); none: the gauge is not created.</param>
    public GatewayMetrics(IMeterFactory meterFactory, ClusterBalancerRegistry registry, ClusterConnectionState? connection = null)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("granary.gateway.requests", "{request}",
            "Proxied requests by cluster, destination and outcome (success, server_error, connect_failure, timeout, canceled).");
        _duration = meter.CreateHistogram<double>("granary.gateway.request_duration", "ms",
            "Time from forwarding to the end of the response, ms.");
        _rateLimited = meter.CreateCounter<long>("granary.gateway.rate_limited", "{request}", "Requests answered 429 by the rate limiter.");
        _retries = meter.CreateCounter<long>("granary.gateway.retries", "{request}",
            "Idempotent requests retried on another destination after a connect-time failure.");
        _fallbackDecisions = meter.CreateCounter<long>("granary.gateway.fallback_decisions", "{decision}",
            "Decisions made locally because the silo did not answer (kind=rate_limit) or its data was stale (kind=balancing).");
        _noHealthyDestination = meter.CreateCounter<long>("granary.gateway.no_healthy_destination", "{request}",
            "Requests answered 503 because no destination of the cluster was healthy.");
        _grainCallFailures = meter.CreateCounter<long>("granary.gateway.grain_call_failures", "{call}",
            "Grain calls that failed (deadline, no silo, callee error), by operation.");
        _invalidClientIds = meter.CreateCounter<long>("granary.gateway.invalid_client_ids", "{request}",
            "Requests answered 400 for a malformed X-Client-ID, by reason (empty, too_long, invalid_character, repeated).");
        _limitRejections = meter.CreateCounter<long>("granary.gateway.limit_rejections", "{request}",
            "Requests or connections refused for an HTTP limit, by limit (request_headers_total_size, request_header_count, request_line, request_headers_timeout, request_body, connections).");
        meter.CreateObservableGauge("granary.gateway.in_flight", registry.ObserveInFlight, "{request}",
            "This gateway's requests in flight per destination.");
        // [dest-gauges] Per destination, as HAProxy's stats page and exporter show each server: up or down, ejected, sessions.
        meter.CreateObservableGauge("granary.gateway.destination_healthy", registry.ObserveHealthy, "1",
            "1 while this gateway would send requests to the destination (healthy by active checks and outlier detection, no local connect-failure mark), else 0.");
        meter.CreateObservableGauge("granary.gateway.destination_ejected", registry.ObserveEjected, "1",
            "1 while outlier detection has the destination ejected (the backend grain's last status), else 0.");
        meter.CreateObservableGauge("granary.gateway.destination_in_flight", registry.ObserveInFlightAllGateways, "{request}",
            "Requests in flight to the destination from every gateway (the backend grain's count at this gateway's last report, with this gateway's own count now).");
        if (connection is not null)
        {
            meter.CreateObservableGauge("granary.gateway.silo_connected", () => connection.IsConnected ? 1 : 0, "1",
                "1 while the gateway's Orleans client is connected to a silo (grain decisions), 0 while it decides locally.");
        }
    }

    /// <summary>The tag value for an outcome.</summary>
    public static string OutcomeName(OutcomeKind outcome) => (uint)outcome < (uint)OutcomeNames.Length ? OutcomeNames[(int)outcome] : "unknown";

    public void RequestFinished(string cluster, string destination, OutcomeKind outcome, double durationMs)
    {
        var tags = new TagList { { "cluster", cluster }, { "destination", destination }, { "outcome", OutcomeName(outcome) } };
        _requests.Add(1, tags);
        _duration.Record(durationMs, tags);
    }

    public void RateLimited() => _rateLimited.Add(1);

    public void Retried(string cluster) => _retries.Add(1, new KeyValuePair<string, object?>("cluster", cluster));

    public void FallbackDecision(string kind)
    {
        Interlocked.Increment(ref _fallbackDecisionCount);
        _fallbackDecisions.Add(1, new KeyValuePair<string, object?>("kind", kind));
    }

    /// <summary>Counts a request entering the proxy pipeline (before rate limiting).</summary>
    public void RequestReceived() => Interlocked.Increment(ref _requestsReceived);

    /// <summary>Requests that entered the proxy pipeline since start (rejected ones included).</summary>
    public long RequestsReceived => Interlocked.Read(ref _requestsReceived);

    /// <summary>Local (fallback) decisions since start, every kind.</summary>
    public long FallbackDecisions => Interlocked.Read(ref _fallbackDecisionCount);

    public void NoHealthyDestination(string cluster) => _noHealthyDestination.Add(1, new KeyValuePair<string, object?>("cluster", cluster));

    public void GrainCallFailed(string operation) => _grainCallFailures.Add(1, new KeyValuePair<string, object?>("operation", operation));

    /// <summary>Counts a request refused for a malformed <c>X-Client-ID</c>.</summary>
    public void InvalidClientId(ClientIdProblem problem) => _invalidClientIds.Add(1, new KeyValuePair<string, object?>("reason", ClientIdRules.Tag(problem)));

    /// <summary>Counts a request or connection refused for an HTTP limit (a <see cref="Granary.Hosting.Http.HttpLimitKinds"/> value).</summary>
    public void LimitRejected(string limit) => _limitRejections.Add(1, new KeyValuePair<string, object?>("limit", limit));
}
