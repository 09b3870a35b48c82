using Granary.Gateway.Balancing;
using Granary.Gateway.Cluster;
using Granary.Gateway.Configuration;
using Granary.Gateway.Diagnostics;
using Granary.Gateway.Errors;
using Granary.Gateway.Fallback;
using Granary.Gateway.Limits;
using Granary.Gateway.RateLimiting;
using Granary.Hosting.Http;
using Granary.Hosting.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Granary.Gateway.Hosting;

/// <summary>
/// Builds the gateway: YARP from the <c>ReverseProxy</c> section, the Orleans client from <c>Granary:Client</c>
/// (static gateways, or Orleans's ADO.NET membership table of cluster <c>Granary:ClusterId</c> when
/// <c>Granary:PostgreSql:ConnectionString</c> is set; see <see cref="GatewayOrleansClient"/>), started in the background
/// so the gateway serves with local decisions until a silo answers, rate limiting and grain-backed balancing in the
/// proxy pipeline, <c>/healthz</c>, <c>/metrics</c>, JSON errors and graceful shutdown.
/// </summary>
internal static class GatewayApp
{
    /// <summary>The URL used when neither <c>Granary:Gateway:Urls</c> nor <c>--urls</c>/<c>ASPNETCORE_URLS</c> is set.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>Creates the application.</summary>
    /// <param name="args">Command-line arguments (<c>--urls</c>, <c>--contentRoot</c>, <c>--Section:Key=value</c>, …).</param>
    /// <param name="useGrainClient">False in tests that register their own <see cref="IGrainFactory"/> (and set the <see cref="ClusterConnectionState"/>).</param>
    /// <param name="configure">Extra registrations (tests).</param>
    /// <exception cref="GatewayConfigurationException">The configuration is invalid.</exception>
    public static WebApplication Build(string[] args, bool useGrainClient = true, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = DefaultContentRoot(args) });
        var config = builder.Configuration;

        var gateway = config.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        var rateLimit = config.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        var reverseProxy = ProxyConfigFile.ReverseProxySection(config);
        // [limits] Granary:Gateway:Limits: X-Client-ID length and the HTTP limits of Kestrel.
        var limits = config.GetSection(GatewayLimitsOptions.Section).Get<GatewayLimitsOptions>() ?? new GatewayLimitsOptions();
        var httpLimits = config.GetSection(GatewayLimitsOptions.Section).Get<HttpLimitsOptions>() ?? new HttpLimitsOptions();
        var client = config.GetSection(GatewayClientOptions.Section).Get<GatewayClientOptions>() ?? new GatewayClientOptions();
        GatewayConfigValidator.Validate(reverseProxy, gateway, rateLimit, limits, httpLimits, GatewayOrleansClient.Validate(config, client));

        if (!string.IsNullOrWhiteSpace(gateway.Urls))
            builder.WebHost.UseUrls(gateway.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        else if (string.IsNullOrWhiteSpace(config[WebHostDefaults.ServerUrlsKey]) && string.IsNullOrWhiteSpace(config["HTTP_PORTS"]))
            builder.WebHost.UseUrls(DefaultUrl);

        var services = builder.Services;
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(gateway.ShutdownTimeoutMs));
        services.AddOptions<GatewayOptions>().Bind(config.GetSection(GatewayOptions.Section));
        services.AddOptions<RateLimitOptions>().Bind(config.GetSection(RateLimitOptions.Section));
        services.AddOptions<GatewayLimitsOptions>().Bind(config.GetSection(GatewayLimitsOptions.Section));
        builder.AddGatewayHttpLimits(httpLimits);
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<GatewayIdentity>();
        // Whether grains may be called: fed by Orleans's connection notifications and the connector.
        services.TryAddSingleton<ClusterConnectionState>();
        if (useGrainClient)
        {
            // Registered before the grain-calling hosted services below, so the client stops after their final reports.
            builder.AddGatewayOrleansClient(client);
        }
        services.TryAddSingleton(sp => new GrainReferences(sp.GetRequiredService<IGrainFactory>()));

        services.AddReverseProxy()
            .LoadFromConfig(reverseProxy)
            .AddConfigFilter<GranaryConfigFilter>();

        // /metrics: Granary's meters and Orleans's; ASP.NET Core's per-request meter only with Granary:Gateway:HttpServerMetrics.
        services.AddGranaryMetrics(o => o.HttpServerMetrics = gateway.HttpServerMetrics);
        services.TryAddSingleton<IPolicyProvider>(new BuiltInPolicyProvider(Random.Shared));
        services.AddSingleton<SiloCircuit>();
        services.AddSingleton<LocalRateLimiter>();
        services.AddSingleton<ClusterBalancerRegistry>();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<BackendReporter>();
        // After the cluster connector, so it stops before the client closes (stop runs in reverse).
        services.AddHostedService<BackendMonitor>();
        // Every second: this gateway's stats to its gateway grain (the dashboard's gateway list).
        services.AddHostedService<GatewayHeartbeat>();
        // Batched rate limiting: leases of client tokens; idle ones (and all at stop) are handed back.
        services.AddSingleton<TokenLeaseLimiter>();
        services.AddHostedService(static sp => sp.GetRequiredService<TokenLeaseLimiter>());
        // Batched clusters: in-flight counts and outcomes to the backend grains every BatchIntervalMs.
        services.AddHostedService<BatchedReportFlusher>();

        configure?.Invoke(builder);

        var app = builder.Build();
        LogRemovedKeys(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GatewayApp).FullName!), config);
        ConfigurePipeline(app);
        return app;
    }

    /// <summary>Keys of the home-made grain client that Orleans now owns: warned about at start, otherwise ignored.</summary>
    private static readonly (string Key, string Replacement)[] RemovedKeys =
    [
        (GatewayClientOptions.Section + ":Silos", "use Granary:Client:Gateways, the silos' Orleans gateway ports (30000+i)"),
        (GatewayClientOptions.Section + ":CallTimeoutMs", "every grain method has its own response timeout"),
        (GatewayClientOptions.Section + ":MaxFrameBytes", "Orleans's messaging limits apply"),
        (GatewayClientOptions.Section + ":MaxPendingCalls", "Orleans manages its connections"),
        (GatewayClientOptions.Section + ":ReconnectMinDelayMs", "use Granary:Client:ConnectRetryDelayMs"),
        (GatewayClientOptions.Section + ":ReconnectMaxDelayMs", "use Granary:Client:ConnectRetryDelayMs"),
        (GatewayClientOptions.Section + ":ClusterSecret", "use mutual TLS on the Orleans ports, Granary:Tls"),
        ("Granary:ClusterSecret", "use mutual TLS on the Orleans ports, Granary:Tls"),
    ];

    private static void LogRemovedKeys(ILogger logger, IConfiguration config)
    {
        foreach (var (key, replacement) in RemovedKeys)
        {
            var section = config.GetSection(key);
            if (section.Value is not null || section.GetChildren().Any())
                Log.RemovedKey(logger, key, replacement);
        }
    }

    /// <summary>
    /// The content root when none is given (<c>--contentRoot</c>, <c>ASPNETCORE_CONTENTROOT</c>,
    /// <c>DOTNET_CONTENTROOT</c>): the current directory if it holds an <c>appsettings.json</c>, else the
    /// application's directory, so <c>dotnet path/to/Granary.Gateway.dll</c> finds its default config.
    /// </summary>
    public static string? DefaultContentRoot(string[] args)
    {
        foreach (var arg in args)
        {
            if (arg.TrimStart('-', '/').StartsWith("contentRoot", StringComparison.OrdinalIgnoreCase))
                return null;
        }
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT")))
            return null;
        return File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json")) ? null : AppContext.BaseDirectory;
    }

    /// <summary>The middleware and endpoints.</summary>
    public static void ConfigurePipeline(WebApplication app)
    {
        app.UseMiddleware<JsonErrorMiddleware>();
        app.MapGet("/healthz", static (HttpContext context) =>
        {
            var connection = context.RequestServices.GetRequiredService<ClusterConnectionState>();
            return Results.Json(new HealthResponse("ok", connection.IsConnected), HealthJsonContext.Default.HealthResponse);
        });
        app.MapGranaryMetrics("/metrics");
        app.MapReverseProxy(pipeline =>
        {
            pipeline.UseMiddleware<RequestBodyLimitMiddleware>();
            pipeline.UseMiddleware<RateLimitingMiddleware>();
            pipeline.UseMiddleware<GrainBalancingMiddleware>();
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
        });
    }
}
