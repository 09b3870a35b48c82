// Plain YARP, the peer Granary's gateway is measured against: same backends, LeastRequests,
// no grain calls and no rate limiting. Backends come from the command line:
//   --urls http://127.0.0.1:8180 --backends http://127.0.0.1:5001/,http://127.0.0.1:5002/
using Yarp.ReverseProxy.Configuration;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var backends = (builder.Configuration["backends"] ?? "http://127.0.0.1:5001/")
    .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "backends", Match = new RouteMatch { Path = "{**catch-all}" } }],
    [new ClusterConfig
    {
        ClusterId = "backends",
        LoadBalancingPolicy = "LeastRequests",
        Destinations = backends.Select((address, i) => (address, i))
            .ToDictionary(d => $"b{d.i + 1}", d => new DestinationConfig { Address = d.address }),
    }]);

var app = builder.Build();
app.MapGet("/healthz", () => Results.Json(new { status = "ok" }));
app.MapReverseProxy();
app.Run();
