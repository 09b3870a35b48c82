using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Granary.Hosting.Http;
using Granary.Silo.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Granary.Silo.Admin;

/// <summary>
/// The admin API for clients (<c>/clients</c>, DESIGN.md). The registry holds the limits; after
/// every change the client grain is told (<see cref="IClientGrain.SetLimitsAsync"/> or
/// <see cref="IClientGrain.ResetLimitsAsync"/>, through Orleans's <see cref="IGrainFactory"/>), so every
/// gateway, which all spend from that one grain, sees the change at once. When the grain cannot be told
/// (its response timeout passes, or Orleans fails), the registry keeps the change and the answer is JSON
/// 504 or 503 saying so (the grain reads the registry when it next activates; repeating a PUT applies it
/// now); a value the grain refuses is 400 (<see cref="GrainErrors"/>). <c>GET /clients/{id}</c> answers the
/// registered limits even when the grain does not, with the reason in <c>error</c>; a client that is not
/// registered but has sent requests (its grain's admitted + rejected &gt; 0, kept in grain storage) answers
/// its grain's default limits and live state (<c>"limits_source":"default"</c>, null timestamps), and 404
/// only when it is neither registered nor seen; for an unregistered id a failed grain read is the JSON
/// error of <see cref="GrainErrors"/>, as the registry cannot answer in its place.
/// </summary>
internal sealed partial class ClientAdminHandler(
    IClientRegistry registry,
    IGrainFactory grains,
    SiloHttpOptions options,
    SiloMetrics metrics,
    ILogger<ClientAdminHandler> logger)
{
    /// <summary>Default page size of <c>GET /clients</c>.</summary>
    public const int DefaultPageSize = 100;

    public async Task<IResult> CreateAsync(HttpContext context)
    {
        var (fields, error) = await ReadFieldsAsync(context).ConfigureAwait(false);
        if (error is not null)
            return error;
        if (fields.ClientId is null)
            return MissingField("client_id");
        if (fields.Capacity is null)
            return MissingField("capacity");
        if (fields.RatePerSec is null)
            return MissingField("rate_per_sec");

        var id = fields.ClientId;
        var limits = new ClientLimits(fields.Capacity.Value, fields.RatePerSec.Value);
        var ct = context.RequestAborted;
        if (!await registry.CreateAsync(id, limits, ct).ConfigureAwait(false))
            return ErrorBody.Result(StatusCodes.Status409Conflict, $"Client '{id}' already exists");
        metrics.AdminChange("create");
        if (await PropagateAsync(id, limits).ConfigureAwait(false) is { } failed)
            return failed;
        var record = await registry.GetAsync(id, ct).ConfigureAwait(false);
        var view = record is null ? new ClientView(id, limits.Capacity, limits.RatePerSec, default, default) : ClientView.From(record);
        context.Response.Headers.Location = "/clients/" + Uri.EscapeDataString(id);
        return Results.Json(view, SiloJson.Options, statusCode: StatusCodes.Status201Created);
    }

    public async Task<IResult> ListAsync(HttpContext context, string? after, string? limit)
    {
        var pageSize = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, out pageSize) || pageSize is < 1 or > IClientRegistry.MaxPageSize))
            return ErrorBody.Result(StatusCodes.Status400BadRequest, $"limit must be an integer from 1 to {IClientRegistry.MaxPageSize}");
        var page = await registry.ListAsync(string.IsNullOrEmpty(after) ? null : after, pageSize, context.RequestAborted).ConfigureAwait(false);
        var views = page.Select(ClientView.From).ToList();
        var next = views.Count == pageSize ? views[^1].ClientId : null;
        return Results.Json(new ClientPage(views, next), SiloJson.Options);
    }

    public async Task<IResult> GetAsync(HttpContext context, string id)
    {
        if (!AdminClientId.IsValid(id))
            return ErrorBody.Result(StatusCodes.Status400BadRequest, AdminClientId.Explain(id));
        var ct = context.RequestAborted;
        var record = await registry.GetAsync(id, ct).ConfigureAwait(false);
        ClientGrainState state;
        try
        {
            // For an unregistered id this activates the grain, which restores its persisted bucket and counters.
            state = await grains.GetGrain<IClientGrain>(id).GetStateAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (GrainErrors.IsGrainFailure(e))
        {
            LogGrainReadFailed(logger, id, e);
            return record is null
                ? GrainErrors.Result(e, "client grain")
                : Results.Json(LiveClientView.Unavailable(record, GrainErrors.Message(e, "client grain")), SiloJson.Options);
        }
        if (record is not null)
            return Results.Json(LiveClientView.Live(record, state), SiloJson.Options);
        return LiveClientView.WasSeen(state) ? Results.Json(LiveClientView.Unregistered(state), SiloJson.Options) : NotFound(id);
    }

    public async Task<IResult> UpdateAsync(HttpContext context, string id)
    {
        if (!AdminClientId.IsValid(id))
            return ErrorBody.Result(StatusCodes.Status400BadRequest, AdminClientId.Explain(id));
        var (fields, error) = await ReadFieldsAsync(context).ConfigureAwait(false);
        if (error is not null)
            return error;
        if (fields.ClientId is not null && fields.ClientId != id)
            return ErrorBody.Result(StatusCodes.Status400BadRequest, $"client_id '{fields.ClientId}' does not match the id in the path ('{id}'); a client id cannot be changed");
        if (fields.Capacity is null && fields.RatePerSec is null)
            return ErrorBody.Result(StatusCodes.Status400BadRequest, "The body must set capacity, rate_per_sec or both");

        var ct = context.RequestAborted;
        var existing = await registry.GetAsync(id, ct).ConfigureAwait(false);
        if (existing is null)
            return NotFound(id);
        var limits = new ClientLimits(fields.Capacity ?? existing.Capacity, fields.RatePerSec ?? existing.RatePerSec);
        if (!await registry.UpdateAsync(id, limits, ct).ConfigureAwait(false))
            return NotFound(id);
        metrics.AdminChange("update");
        if (await PropagateAsync(id, limits).ConfigureAwait(false) is { } failed)
            return failed;
        var record = await registry.GetAsync(id, ct).ConfigureAwait(false);
        return record is null ? NotFound(id) : Results.Json(ClientView.From(record), SiloJson.Options);
    }

    public async Task<IResult> DeleteAsync(HttpContext context, string id)
    {
        if (!AdminClientId.IsValid(id))
            return ErrorBody.Result(StatusCodes.Status400BadRequest, AdminClientId.Explain(id));
        var ct = context.RequestAborted;
        if (!await registry.DeleteAsync(id, ct).ConfigureAwait(false))
            return NotFound(id);
        metrics.AdminChange("delete");
        try
        {
            await grains.GetGrain<IClientGrain>(id).ResetLimitsAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (GrainErrors.IsGrainFailure(e))
        {
            LogPropagationFailed(logger, id, e);
            return ErrorBody.Result(GrainErrors.Status(e),
                $"Client '{id}' was removed from the registry, but its client grain was not told ({GrainErrors.Message(e, "client grain")}); it goes back to the default limits when it next activates");
        }
        return Results.NoContent();
    }

    private async Task<(ClientFields Fields, IResult? Error)> ReadFieldsAsync(HttpContext context)
    {
        if (AdminRequestReader.UnsupportedContentType(context.Request.ContentType) is { } unsupported)
            return (default, ErrorBody.Result(StatusCodes.Status415UnsupportedMediaType, unsupported));
        var (body, tooLarge) = await AdminRequestReader.ReadBodyAsync(context.Request, options.MaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (tooLarge)
        {
            metrics.LimitRejected(HttpLimitKinds.RequestBody);
            if (!KestrelDrains(context))
                context.Response.Headers.Connection = "close";
            return (default, ErrorBody.Result(StatusCodes.Status413PayloadTooLarge, $"Request body larger than {options.MaxBodyBytes} bytes"));
        }
        return AdminRequestReader.TryParseFields(body, out var fields, out var error)
            ? (fields, null)
            : (default, ErrorBody.Result(StatusCodes.Status400BadRequest, error!));
    }

    /// <summary>
    /// True when Kestrel will drain the rest of an over-cap body and keep the connection: its length is known and within
    /// Kestrel's body limit (<c>Granary:Silo:Limits:MaxRequestBodySize</c>). A body past that limit, or of unknown
    /// (chunked) length, ends the connection, so the 413 says <c>Connection: close</c> and no client reuses it.
    /// </summary>
    private static bool KestrelDrains(HttpContext context) =>
        context.Request.ContentLength is long length
        && (context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is not long max || length <= max);

    /// <summary>Tells the client grain its new limits; null when it took them, else the JSON error to answer.</summary>
    private async Task<IResult?> PropagateAsync(string id, ClientLimits limits)
    {
        // The registry is the source of truth; a grain that misses this call reads it again on its next activation.
        try
        {
            await grains.GetGrain<IClientGrain>(id).SetLimitsAsync(limits).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (GrainErrors.IsGrainFailure(e))
        {
            LogPropagationFailed(logger, id, e);
            return ErrorBody.Result(GrainErrors.Status(e),
                $"Client '{id}' was saved in the registry, but its client grain was not told ({GrainErrors.Message(e, "client grain")}); the limits apply when it next activates, or repeat PUT /clients/{id} to apply them now");
        }
    }

    private static IResult MissingField(string name) => ErrorBody.Result(StatusCodes.Status400BadRequest, $"Missing field '{name}'");

    private static IResult NotFound(string id) => ErrorBody.Result(StatusCodes.Status404NotFound, $"Client '{id}' not found");

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Client {ClientId}: limits changed in the registry but the client grain was not told; it picks them up on its next activation")]
    private static partial void LogPropagationFailed(ILogger logger, string clientId, Exception exception);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Client {ClientId}: reading the live state of the client grain failed")]
    private static partial void LogGrainReadFailed(ILogger logger, string clientId, Exception exception);
}
