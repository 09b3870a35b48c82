using Granary.Runtime.Diagnostics;
using Granary.Runtime.Hosting;
using Granary.Runtime.Membership;
using Granary.Silo.Admin;
using Granary.Silo.Api;
using Granary.Silo.Http;

namespace Granary.Silo;

/// <summary>The routes of the silo's HTTP port.</summary>
internal static class SiloEndpoints
{
    private static readonly object Index = new
    {
        Name = "granary-silo",
        Endpoints = new[]
        {
            new { Method = "GET", Path = "/healthz", Description = "Liveness: status, silo address, live activations" },
            new { Method = "GET", Path = "/metrics", Description = "Prometheus text format 0.0.4" },
            new { Method = "POST", Path = "/clients", Description = "Create a client: {\"client_id\",\"capacity\",\"rate_per_sec\"}" },
            new { Method = "GET", Path = "/clients?after=&limit=", Description = "List registered clients, paged (limit 1-1000, default 100)" },
            new { Method = "GET", Path = "/clients/{id}", Description = "A client's limits and live bucket" },
            new { Method = "PUT", Path = "/clients/{id}", Description = "Change capacity and/or rate_per_sec" },
            new { Method = "DELETE", Path = "/clients/{id}", Description = "Remove a client (back to the default limits)" },
            new { Method = "GET", Path = "/api/backends", Description = "Backend grains active on this silo" },
            new { Method = "GET", Path = "/api/backends/{cluster}/{destination}", Description = "One backend grain" },
            new { Method = "GET", Path = "/api/clients", Description = "Client grains active on this silo" },
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
        api.MapGet("/backends", (HttpContext context, GrainStateHandler handler) => handler.ListBackendsAsync(context));
        api.MapGet("/backends/{cluster}/{destination}", (HttpContext context, GrainStateHandler handler, string cluster, string destination) =>
            handler.GetBackendAsync(context, cluster, destination));
        api.MapGet("/clients", (HttpContext context, GrainStateHandler handler) => handler.ListClientsAsync(context));
    }
}
