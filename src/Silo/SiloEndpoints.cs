using Granary.Runtime.Diagnostics;
using Granary.Runtime.Hosting;
using Granary.Runtime.Membership;
using Granary.Silo.Admin;
using Granary.Silo.Api;
using Granary.Silo.Dashboard;
using Granary.Silo.Http;

namespace Granary.Silo;

/// <summary>The routes of the silo's HTTP port.</summary>
internal static class SiloEndpoints
{
    private static readonly object Index = new
    {
        Name = "granary-silo",
        Authentication = "When admin keys are configured: X-Admin-Key: <key> or Authorization: Bearer <key> on every request except GET /healthz, the dashboard's files, GET /metrics (unless Granary:Silo:PublicMetrics=false) and GETs when Granary:Silo:PublicReads=true; else 401 JSON",
        Endpoints = new[]
        {
            new { Method = "GET", Path = "/healthz", Description = "Liveness: status, silo address, live activations" },
            new { Method = "GET", Path = "/metrics", Description = "Prometheus text format 0.0.4" },
            new { Method = "GET", Path = "/dashboard", Description = "The dashboard page (whole cluster, refreshes every second)" },
            new { Method = "POST", Path = "/clients", Description = "Create a client: {\"client_id\",\"capacity\",\"rate_per_sec\"}" },
            new { Method = "GET", Path = "/clients?after=&limit=", Description = "List registered clients, paged (limit 1-1000, default 100)" },
            new { Method = "GET", Path = "/clients/{id}", Description = "A client's limits and live bucket" },
            new { Method = "PUT", Path = "/clients/{id}", Description = "Change capacity and/or rate_per_sec" },
            new { Method = "DELETE", Path = "/clients/{id}", Description = "Remove a client, back to the default limits" },
            new { Method = "GET", Path = "/api/overview", Description = "Whole cluster: silos (activations, grain calls/s, CPU, memory) and gateways" },
            new { Method = "GET", Path = "/api/backends", Description = "Whole cluster: every active backend grain (health, in-flight, requests/s, p99, history)" },
            new { Method = "GET", Path = "/api/backends/{cluster}/{destination}", Description = "One backend grain active on this silo" },
            new { Method = "GET", Path = "/api/clients?search=&after=&limit=", Description = "Registered clients by id prefix, paged (limit 1-500, default 50), with live buckets" },
            new { Method = "GET", Path = "/api/grains/{type}/{key}", Description = "A grain's owner and read-only state (type client, backend or gateway)" },
            new { Method = "GET", Path = "/api/local/overview", Description = "This silo only: its figures and the gateways whose grains it hosts" },
            new { Method = "GET", Path = "/api/local/backends", Description = "This silo only: backend grains active here" },
            new { Method = "GET", Path = "/api/local/clients", Description = "This silo only: client grains active here" },
            new { Method = "GET", Path = "/api/local/active?type=&key=", Description = "This silo only: whether a grain is active here" },
        },
    };

    public static void MapSiloEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", () => Results.Json(Index, SiloJson.Options));
        endpoints.MapGet("/healthz", (ILocalSiloDetails silo, IActivationDirectory directory) =>
            Results.Json(new { Status = "ok", Silo = silo.SiloAddress.ToString(), Activations = directory.Count }, SiloJson.Options));
        endpoints.MapPrometheusMetrics("/metrics");

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

        var local = api.MapGroup("/local");
        local.MapGet("/overview", (HttpContext context, DashboardApiHandler handler) => handler.LocalOverviewAsync(context));
        local.MapGet("/backends", (HttpContext context, DashboardApiHandler handler) => handler.LocalBackendsAsync(context));
        local.MapGet("/clients", (HttpContext context, GrainStateHandler handler) => handler.ListClientsAsync(context));
        local.MapGet("/active", (DashboardApiHandler handler, string? type, string? key) => handler.LocalActive(type, key));
    }
}
