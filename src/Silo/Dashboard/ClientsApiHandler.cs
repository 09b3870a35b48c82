using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Granary.Silo.Admin;
using Granary.Silo.Http;

namespace Granary.Silo.Dashboard;

/// <summary>
/// <c>GET /api/clients?search=&amp;after=&amp;limit=</c>: registered clients (the registry is shared by
/// the cluster, so this is cluster-wide as it is), paged in ordinal id order, filtered by a
/// case-sensitive id prefix. Cost per call: one registry page (O(log n + limit)), one registry count and
/// one concurrent <see cref="IClientGrain.GetStateAsync"/> per row of the page, each awaited at most
/// <see cref="GrainDeadline.Timeout"/>; a grain that fails leaves its live fields null with an <c>error</c>.
/// </summary>
internal sealed class ClientsApiHandler(IClientRegistry registry, IGrainFactory grains, GrainDeadline deadline)
{
    /// <summary>Default page size: 50.</summary>
    public const int DefaultLimit = 50;

    /// <summary>Largest page: 500.</summary>
    public const int MaxLimit = 500;

    /// <summary>Longest <c>search</c> and <c>after</c>: the longest id a registry accepts.</summary>
    public const int MaxArgumentLength = IClientRegistry.MaxClientIdLength;

    public async Task<IResult> ListAsync(HttpContext context, string? search, string? after, string? limit)
    {
        var pageSize = DefaultLimit;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, out pageSize) || pageSize is < 1 or > MaxLimit))
            return ErrorBody.Result(StatusCodes.Status400BadRequest, $"limit must be an integer from 1 to {MaxLimit}");
        if (search?.Length > MaxArgumentLength)
            return ErrorBody.Result(StatusCodes.Status400BadRequest, $"search must be at most {MaxArgumentLength} characters");
        if (after?.Length > MaxArgumentLength)
            return ErrorBody.Result(StatusCodes.Status400BadRequest, $"after must be at most {MaxArgumentLength} characters");
        var prefix = string.IsNullOrEmpty(search) ? null : search;
        var ct = context.RequestAborted;

        // One row more than the page tells whether there is a next page.
        var pageTask = registry.SearchAsync(prefix, string.IsNullOrEmpty(after) ? null : after, pageSize + 1, ct).AsTask();
        var countTask = registry.CountAsync(prefix, ct).AsTask();
        var rows = await pageTask.ConfigureAwait(false);
        var total = await countTask.ConfigureAwait(false);
        var page = rows.Count > pageSize ? rows.Take(pageSize).ToList() : rows;
        var views = await Task.WhenAll(page.Select(r => DescribeAsync(r, ct))).ConfigureAwait(false);
        var next = rows.Count > pageSize ? page[^1].ClientId : null;
        return Results.Json(new { Clients = views, NextAfter = next, Total = total }, SiloJson.Options);
    }

    private async Task<LiveClientView> DescribeAsync(ClientRecord record, CancellationToken ct)
    {
        try
        {
            var s = await deadline.Run(grains.GetGrain<IClientGrain>(record.ClientId).GetStateAsync(), ct).ConfigureAwait(false);
            return LiveClientView.Live(record, s);
        }
        catch (Exception e) when (GrainErrors.IsGrainFailure(e) && !ct.IsCancellationRequested)
        {
            return LiveClientView.Unavailable(record, GrainDeadline.Describe(e));
        }
    }
}
