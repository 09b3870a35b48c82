using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Granary.Silo.Admin;
using Granary.Silo.Http;
using Microsoft.Extensions.Options;

namespace Granary.Silo.Dashboard;

/// <summary>
/// <c>GET /api/clients?search=&amp;after=&amp;limit=</c>: registered clients (the registry is shared by
/// the cluster, so this is cluster-wide as it is), paged in ordinal id order, filtered by a
/// case-sensitive id prefix; and, beside them, the clients active at the default limits: client grains
/// active on any silo whose id matches the prefix and is not registered (<c>active_default</c>, the first
/// <see cref="MaxActiveDefault"/> by id, whatever the page; <c>active_default_total</c> counts them).
/// Cost per call: one registry page (O(log n + limit)), one registry count, one concurrent
/// <see cref="IClientGrain.GetStateAsync"/> per row, one activation list per silo (the management grain's
/// detailed statistics of the client grain class, O(its client activations)), one
/// <see cref="IClientRegistry.RegisteredAmongAsync"/> over at most <see cref="MaxActiveChecked"/> matching
/// active ids; each grain and silo call awaited at most <see cref="GrainDeadline.Timeout"/>. A grain that
/// fails leaves its live fields null with an <c>error</c>; a silo that fails is listed in <c>errors</c>.
/// </summary>
internal sealed class ClientsApiHandler(IClientRegistry registry, IGrainFactory grains, ClusterReader cluster, GrainDeadline deadline, IOptions<ClientDefaultsOptions> defaults)
{
    /// <summary>Default page size: 50.</summary>
    public const int DefaultLimit = 50;

    /// <summary>Largest page: 500.</summary>
    public const int MaxLimit = 500;

    /// <summary>Longest <c>search</c> and <c>after</c>: the longest id a registry accepts.</summary>
    public const int MaxArgumentLength = IClientRegistry.MaxClientIdLength;

    /// <summary>Most clients listed in <c>active_default</c> (the first by id): 50.</summary>
    public const int MaxActiveDefault = 50;

    /// <summary>
    /// Most matching active client ids (the first by id) checked against the registry per call: 10,000. When more
    /// match, <c>active_default_capped</c> is true and <c>active_default_total</c> counts among those checked only.
    /// </summary>
    public const int MaxActiveChecked = 10_000;

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
        var activeTask = ActiveDefaultAsync(prefix, ct);
        var rows = await pageTask.ConfigureAwait(false);
        var total = await countTask.ConfigureAwait(false);
        var page = rows.Count > pageSize ? rows.Take(pageSize).ToList() : rows;
        var views = await Task.WhenAll(page.Select(r => DescribeAsync(r, ct))).ConfigureAwait(false);
        var next = rows.Count > pageSize ? page[^1].ClientId : null;
        var active = await activeTask.ConfigureAwait(false);
        return Results.Json(new
        {
            Clients = views,
            NextAfter = next,
            Total = total,
            ActiveDefault = active.Views,
            ActiveDefaultTotal = active.Total,
            ActiveDefaultCapped = active.Capped,
            Errors = active.Errors,
        }, SiloJson.Options);
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

    /// <summary>
    /// The client grains active on any silo whose id starts with <paramref name="prefix"/> and is not registered: the
    /// first <see cref="MaxActiveDefault"/> by id with their live state, and how many there are.
    /// </summary>
    private async Task<(LiveClientView[] Views, int Total, bool Capped, List<SiloErrorView> Errors)> ActiveDefaultAsync(string? prefix, CancellationToken ct)
    {
        var lists = await cluster.ActivationsEverywhereAsync(GrainClasses.Client, ct).ConfigureAwait(false);
        // A grain moving between silos can be on two for a moment: one entry per id.
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var list in lists)
        {
            foreach (var grain in list.Ids)
            {
                if (grain.Key.ToString() is { } id && (prefix is null || id.StartsWith(prefix, StringComparison.Ordinal)))
                    ids.Add(id);
            }
        }
        var sorted = ids.Order(StringComparer.Ordinal).ToList();
        var capped = sorted.Count > MaxActiveChecked;
        if (capped)
            sorted.RemoveRange(MaxActiveChecked, sorted.Count - MaxActiveChecked);
        var registered = await registry.RegisteredAmongAsync(sorted, ct).ConfigureAwait(false);
        var unregistered = sorted.Where(id => !registered.Contains(id)).ToList();
        var views = await Task.WhenAll(unregistered.Take(MaxActiveDefault).Select(id => DescribeUnregisteredAsync(id, ct))).ConfigureAwait(false);
        return (views, unregistered.Count, capped, SiloErrorView.Of(lists));
    }

    private async Task<LiveClientView> DescribeUnregisteredAsync(string id, CancellationToken ct)
    {
        try
        {
            return LiveClientView.Unregistered(await deadline.Run(grains.GetGrain<IClientGrain>(id).GetStateAsync(), ct).ConfigureAwait(false));
        }
        catch (Exception e) when (GrainErrors.IsGrainFailure(e) && !ct.IsCancellationRequested)
        {
            return LiveClientView.UnregisteredUnavailable(id, defaults.Value, GrainDeadline.Describe(e));
        }
    }
}
