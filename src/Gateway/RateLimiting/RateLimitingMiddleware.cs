using Granary.Gateway.Cluster;
using Granary.Gateway.Configuration;
using Granary.Gateway.Diagnostics;
using Granary.Gateway.Errors;
using Granary.Gateway.Fallback;
using Granary.Grains.Contracts;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.RateLimiting;

/// <summary>
/// Step 1 of the per-request path: spends one token from the client's bucket in its
/// <see cref="IClientGrain"/> (shared by every gateway): one grain call per request in exact mode,
/// a token leased by the <see cref="TokenLeaseLimiter"/> in batched mode. Admitted: sets the <c>RateLimit-*</c>
/// headers and continues. Rejected: 429 <c>{"code":429,"message":"Rate limit exceeded"}</c> with
/// <c>Retry-After</c>. When the silo does not answer, the client is not connected or the <see cref="SiloCircuit"/>
/// is open, the decision comes from a <see cref="LocalRateLimiter"/> bucket and is counted as a fallback decision
/// (see <see cref="GrainFailures"/>); a call the grain refused (<see cref="ArgumentException"/>) is a 400.
/// </summary>
internal sealed class RateLimitingMiddleware
{
    /// <summary>The exact 429 body of the contract.</summary>
    public static readonly byte[] RejectedBody = "{\"code\":429,\"message\":\"Rate limit exceeded\"}"u8.ToArray();

    private static readonly AcquireTokens OneToken = new(1);

    private readonly RequestDelegate _next;
    private readonly GrainReferences _grains;
    private readonly SiloCircuit _circuit;
    private readonly LocalRateLimiter _local;
    private readonly TokenLeaseLimiter _leases;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<RateLimitingMiddleware> _logger;
    private readonly bool _enabled;
    private readonly int _maxClientIdLength;
    private readonly byte[][] _invalidClientBodies;

    public RateLimitingMiddleware(RequestDelegate next, GrainReferences grains, SiloCircuit circuit, LocalRateLimiter local,
        TokenLeaseLimiter leases, GatewayMetrics metrics, IOptions<RateLimitOptions> options, ILogger<RateLimitingMiddleware> logger,
        IOptions<GatewayLimitsOptions>? limits = null)
    {
        _next = next;
        _grains = grains;
        _circuit = circuit;
        _local = local;
        _leases = leases;
        _metrics = metrics;
        _logger = logger;
        _enabled = options.Value.Enabled;
        // [limits] X-Client-ID: the shared rules with the configured length; one 400 body per rule broken.
        _maxClientIdLength = limits?.Value.MaxClientIdLength ?? ClientIdentity.MaxLength;
        _invalidClientBodies = Enum.GetValues<ClientIdProblem>()
            .Select(p => JsonErrors.Render(StatusCodes.Status400BadRequest, ClientIdentity.InvalidMessage(p, _maxClientIdLength))).ToArray();
    }

    public Task InvokeAsync(HttpContext context)
    {
        // The first step of the proxy pipeline: every proxied request is counted here, for the heartbeat.
        _metrics.RequestReceived();
        return _enabled ? LimitAsync(context) : _next(context);
    }

    // Not async: a decision that is ready at once (a leased token, a grain call that completed
    // synchronously, a local decision) goes on to the next step without an async frame of its own.
    private Task LimitAsync(HttpContext context)
    {
        if (!ClientIdentity.TryResolve(context, _maxClientIdLength, out var clientId, out var problem))
        {
            _metrics.InvalidClientId(problem);
            return JsonErrors.WriteAsync(context, StatusCodes.Status400BadRequest, _invalidClientBodies[(int)problem]);
        }

        var batched = _leases.IsBatched(clientId);
        ValueTask<RateLimitDecision?> pending;
        try
        {
            if (batched)
            {
                // Spends a leased token here; a grain call only to renew the lease (its failures are counted there).
                pending = _leases.AcquireAsync(clientId);
            }
            else if (_circuit.TryEnter())
            {
                return ExactAsync(context, clientId, _grains.Client(clientId).TryAcquireAsync(OneToken));
            }
            else
            {
                return Continue(context, DecideLocally(clientId));
            }
        }
        catch (Exception ex)
        {
            return FailedAsync(context, clientId, batched, ex);
        }
        if (pending.IsCompletedSuccessfully)
            return Continue(context, pending.Result ?? DecideLocally(clientId));
        return BatchedAsync(context, clientId, pending);
    }

    private async Task BatchedAsync(HttpContext context, string clientId, ValueTask<RateLimitDecision?> pending)
    {
        RateLimitDecision? decision;
        try
        {
            decision = await pending;
        }
        catch (Exception ex)
        {
            await FailedAsync(context, clientId, batched: true, ex);
            return;
        }
        await Continue(context, decision ?? DecideLocally(clientId));
    }

    private async Task ExactAsync(HttpContext context, string clientId, ValueTask<RateLimitDecision> call)
    {
        RateLimitDecision decision;
        try
        {
            decision = await call;
            _circuit.OnSuccess();
        }
        catch (Exception ex)
        {
            await FailedAsync(context, clientId, batched: false, ex);
            return;
        }
        await Continue(context, decision);
    }

    /// <summary>A failed grain call: 400 for a call the grain refused, else a local decision (the failure rethrown when it is neither).</summary>
    private Task FailedAsync(HttpContext context, string clientId, bool batched, Exception ex)
    {
        if (GrainFailures.IsBadRequest(ex))
        {
            Log.ClientGrainBadRequest(_logger, clientId, ex.Message);
            return JsonErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "Invalid client: " + ex.Message);
        }
        if (!GrainFailures.IsFallbackError(ex, _circuit.IsConnected))
            return Task.FromException(ex);
        if (!batched)
        {
            _metrics.GrainCallFailed("client.try_acquire");
            _circuit.OnFailure(ex);
        }
        return Continue(context, DecideLocally(clientId));
    }

    private Task Continue(HttpContext context, in RateLimitDecision decision)
    {
        RateLimitHeaders.Apply(context.Response, decision);
        if (decision.Admitted)
            return _next(context);
        _metrics.RateLimited();
        return JsonErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, RejectedBody);
    }

    private RateLimitDecision DecideLocally(string clientId)
    {
        _metrics.FallbackDecision(FallbackKinds.RateLimit);
        return _local.TryAcquire(clientId);
    }
}
