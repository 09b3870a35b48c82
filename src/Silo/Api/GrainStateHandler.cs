using Granary.Grains.Contracts;
using Granary.Silo.Dashboard;
using Granary.Silo.Http;

namespace Granary.Silo.Api;

/// <summary>
/// <c>GET /api/backends/{cluster}/{destination}</c>: one backend grain's state, wherever in the cluster it
/// is active (Orleans's grain directory, <see cref="ClusterReader.LocateAsync"/>); 404 when it is not
/// active (the read never creates it). A failed read is 504 (no answer in time) or 503 (Orleans failure),
/// JSON (<see cref="GrainErrors"/>). The lists are <see cref="DashboardApiHandler"/>'s.
/// </summary>
internal sealed class GrainStateHandler(IGrainFactory grains, ClusterReader cluster)
{
    public async Task<IResult> GetBackendAsync(HttpContext context, string clusterId, string destination)
    {
        var key = BackendKey.For(clusterId, destination);
        var grain = grains.GetGrain<IBackendGrain>(key);
        var ct = context.RequestAborted;
        try
        {
            if (await cluster.LocateAsync(grain, ct).ConfigureAwait(false) is null)
                return ErrorBody.Result(StatusCodes.Status404NotFound, $"Backend '{key}' is not active in the cluster");
            return Results.Json(BackendView.From(await grain.GetDetailsAsync().ConfigureAwait(false)), SiloJson.Options);
        }
        catch (Exception e) when (GrainErrors.IsGrainFailure(e) && !ct.IsCancellationRequested)
        {
            return GrainErrors.Result(e, $"backend grain '{key}'");
        }
    }
}
