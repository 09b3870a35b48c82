using Granary.Hosting.Metrics;
using Granary.Silo.Admin;
using Granary.Silo.Api;
using Granary.Silo.Auth;
using Granary.Silo.Dashboard;
using Granary.Silo.Http;

namespace Granary.Silo;

/// <summary>The routes of the silo's HTTP port (Orleans's dashboard is mapped beside them at <c>/orleans</c>).</summary>
internal static class SiloEndpoints
{
    private static readonly object Index = new
    {
        Name = "granary-silo",
        Authentication = "When admin keys are configured: X-Admin-Key: <key> or Authorization: Bearer <key> on every request except GET /healthz, the dashboard's files, GET /metrics (unless Granary:Silo:PublicMetrics=false) and GETs when Granary:Silo:PublicReads=true; /orleans also takes the session cookie set by POST /api/session or Basic credentials (the key as password); else 401 JSON",
        Endpoints = new[]
        {
            new { Method = "GET", Path = "/healthz", Description = "Liveness: 200 while this silo is Active in the cluster (status, silo address), else 503" },
            new { Method = "GET", Path = "/metrics", Description = "Prometheus text format 0.0.4 (Granary's, Orleans's, ASP.NET Core's and Kestrel's meters)" },
            new { Method = "GET", Path = "/dashboard", Description = "Granary's balancing dashboard (whole cluster, refreshes every second)" },
            new { Method = "GET", Path = "/orleans", Description = "Orleans's dashboard (silos, grains, calls)" },
            new { Method = "POST", Path = "/clients", Description = "Create a client: {\"client_id\",\"capacity\",\"rate_per_sec\"}" },
            new { Method = "GET", Path = "/clients?after=&limit=", Description = "List registered clients, paged (limit 1-1000, default 100)" },
            new { Method = "GET", Path = "/clients/{id}", Description = "A client's limits and live bucket" },
            new { Method = "PUT", Path = "/clients/{id}", Description = "Change capacity and/or rate_per_sec" },
            new { Method = "DELETE", Path = "/clients/{id}", Description = "Remove a client, back to the default limits" },
            new { Method = "GET", Path = "/api/overview", Description = "Whole cluster: silos (status, activations, messages/s, CPU, memory; Dead ones too) and gateways" },
            new { Method = "GET", Path = "/api/backends", Description = "Whole cluster: every active backend grain (health, in-flight, requests/s, p99, history)" },
            new { Method = "GET", Path = "/api/backends/{cluster}/{destination}", Description = "One active backend grain" },
            new { Method = "GET", Path = "/api/clients?search=&after=&limit=", Description = "Registered clients by id prefix, paged (limit 1-500, default 50), with live buckets" },
            new { Method = "GET", Path = "/api/grains/{type}/{key}", Description = "Where a grain is active and its read-only state (type client, backend or gateway)" },
            new { Method = "POST", Path = "/api/session", Description = "Set the admin session cookie for /orleans (needs the admin key)" },
            new { Method = "DELETE", Path = "/api/session", Description = "Clear the admin session cookie" },
        },
    };

    public static void MapSiloEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", () => Results.Json(Index, SiloJson.Options));
        endpoints.MapMethods("/healthz", [HttpMethods.Get, HttpMethods.Head], Healthz);
        endpoints.MapGranaryMetrics("/metrics");

        var clients = endpoints.MapGroup("/clients");
        clients.MapPost("", (HttpContext context, ClientAdminHandler handler) => handler.CreateAsync(context));
        clients.MapGet("", (HttpContext context, ClientAdminHandler handler, string? after, string? limit) => handler.ListAsync(context, after, limit));
        clients.MapGet("/{id}", (HttpContext context, ClientAdminHandler handler, string id) => handler.GetAsync(context, id));
        clients.MapPut("/{id}", (HttpContext context, ClientAdminHandler handler, string id) => handler.UpdateAsync(context, id));
        clients.MapDelete("/{id}", (HttpContext context, ClientAdminHandler handler, string id) => handler.DeleteAsync(context, id));

        var api = endpoints.MapGroup("/api");
        api.MapGet("/overview", (HttpContext context, DashboardApiHandler handler) => handler.OverviewAsync(context));
        api.MapGet("/backends", (HttpContext context, DashboardApiHandler handler) => handler.BackendsAsync(context));
        api.MapGet("/backends/{cluster}/{destination}", (HttpContext context, GrainStateHandler handler, string cluster, string destination) =>
            handler.GetBackendAsync(context, cluster, destination));
        api.MapGet("/clients", (HttpContext context, ClientsApiHandler handler, string? search, string? after, string? limit) =>
            handler.ListAsync(context, search, after, limit));
        api.MapGet("/grains/{type}/{**key}", (HttpContext context, DashboardApiHandler handler, string type, string key) => handler.GrainAsync(context, type, key));
        endpoints.MapAdminSession();
    }

    /// <summary><c>GET|HEAD /healthz</c>: 200 <c>{"status":"ok","silo":"host:port@generation","silo_status":"Active"}</c> while this silo is Active in its membership view; else 503 JSON naming its status.</summary>
    private static IResult Healthz(ILocalSiloDetails silo, IClusterMembershipService membership)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return status == SiloStatus.Active
            ? Results.Json(new { Status = "ok", Silo = silo.SiloAddress.ToParsableString(), SiloStatus = status.ToString() }, SiloJson.Options)
            : ErrorBody.Result(StatusCodes.Status503ServiceUnavailable, $"Silo {silo.SiloAddress.ToParsableString()} is {status}, not Active");
    }
}
