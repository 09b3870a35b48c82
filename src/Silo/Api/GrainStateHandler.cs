using Granary.Grains.Contracts;
using Granary.Runtime;
using Granary.Runtime.Hosting;
using Granary.Silo.Http;

namespace Granary.Silo.Api;

/// <summary>
/// Read-only JSON of the grains active on this silo (<c>/api/backends/{cluster}/{destination}</c>,
/// <c>/api/local/clients</c>; the cluster-wide lists are in <see cref="Dashboard.DashboardApiHandler"/>).
/// Grains are asked concurrently, each within the local call deadline; one that fails appears
/// with an <c>error</c> field instead of failing the response.
/// </summary>
internal sealed class GrainStateHandler(IActivationDirectory directory, IGrainFactory grains, GrainDeadline deadline)
{
    /// <summary>Most grains asked per list response (first by id); <c>total</c> gives the full count.</summary>
    public const int MaxGrainsPerResponse = 1000;

    public async Task<IResult> GetBackendAsync(HttpContext context, string cluster, string destination)
    {
        var key = BackendKey.For(cluster, destination);
        if (!directory.GetActivations(GrainDescriptors.BackendGrainType).Any(id => id.Key == key))
            return ErrorBody.Result(StatusCodes.Status404NotFound, $"Backend '{key}' is not active on this silo");
        return Results.Json(await DescribeBackendAsync(key, context.RequestAborted).ConfigureAwait(false), SiloJson.Options);
    }

    public async Task<IResult> ListClientsAsync(HttpContext context)
    {
        var ids = ActiveKeys(GrainDescriptors.ClientGrainType);
        var views = await Task.WhenAll(ids.Take(MaxGrainsPerResponse).Select(key => DescribeClientAsync(key, context.RequestAborted))).ConfigureAwait(false);
        return Results.Json(new { Clients = views, Total = ids.Count }, SiloJson.Options);
    }

    private List<string> ActiveKeys(string grainType) =>
        directory.GetActivations(grainType).Select(static id => id.Key).Order(StringComparer.Ordinal).ToList();

    private async Task<object> DescribeBackendAsync(string key, CancellationToken ct)
    {
        try
        {
            var details = await deadline.Run(grains.GetGrain<IBackendGrain>(key).GetDetailsAsync(), ct).ConfigureAwait(false);
            return BackendView.From(details);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            BackendKey.TrySplit(key, out var cluster, out var destination);
            return new BackendErrorView(cluster, destination, GrainDeadline.Describe(e));
        }
    }

    private async Task<object> DescribeClientAsync(string key, CancellationToken ct)
    {
        try
        {
            var state = await deadline.Run(grains.GetGrain<IClientGrain>(key).GetStateAsync(), ct).ConfigureAwait(false);
            return ClientStateView.From(state);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new ClientErrorView(key, GrainDeadline.Describe(e));
        }
    }
}
