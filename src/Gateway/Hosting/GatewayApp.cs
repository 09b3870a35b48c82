using Granary.Gateway.Balancing;
using Granary.Gateway.Configuration;
using Granary.Gateway.Diagnostics;
using Granary.Gateway.Errors;
using Granary.Gateway.Fallback;
using Granary.Gateway.Limits;
using Granary.Gateway.RateLimiting;
using Granary.Grains.Contracts;
using Granary.PostgreSql;
using Granary.PostgreSql.Membership;
using Granary.Runtime.Diagnostics;
using Granary.Runtime.Hosting;
using Granary.Runtime.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Granary.Gateway.Hosting;

/// <summary>
/// Builds the gateway: YARP from the <c>ReverseProxy</c> section, the grain client from
/// <c>Granary:Client</c> (silo list from the PostgreSQL membership table of cluster
/// <c>Granary:ClusterId</c> when <c>Granary:PostgreSql:ConnectionString</c> is set), rate limiting and grain-backed balancing in the proxy pipeline,
/// <c>/healthz</c>, <c>/metrics</c>, JSON errors and graceful shutdown.
/// </summary>
internal static class GatewayApp
{
    /// <summary>The URL used when neither <c>Granary:Gateway:Urls</c> nor <c>--urls</c>/<c>ASPNETCORE_URLS</c> is set.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>Creates the application.</summary>
    /// <param name="args">Command-line arguments (<c>--urls</c>, <c>--contentRoot</c>, <c>--Section:Key=value</c>, …).</param>
    /// <param name="useGrainClient">False in tests that register their own <see cref="Runtime.IGrainFactory"/>.</param>
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
        GatewayConfigValidator.Validate(reverseProxy, gateway, rateLimit, limits, httpLimits);

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

        if (useGrainClient)
        {
            // [pg-membership] With PostgreSQL the silos come from the membership table (Granary:Client:Silos is ignored);
            // the view follows NOTIFY, polls every 2 s, and the last view is kept while the database is down.
            if (config[PostgreSqlDefaults.ConnectionStringKey] is { Length: > 0 } postgres)
            {
                var clusterId = config[PostgreSqlMembershipDefaults.ClusterIdKey] is { Length: > 0 } id ? id : PostgreSqlMembershipDefaults.DefaultClusterId;
                services.AddGranaryPostgreSqlMembershipClient(postgres, clusterId);
            }
            services.AddGranaryClient(o => config.GetSection("Granary:Client").Bind(o));
            foreach (var descriptor in GrainDescriptors.All)
                services.AddGrainInterface(descriptor);
        }

        services.AddReverseProxy()
            .LoadFromConfig(reverseProxy)
            .AddConfigFilter<GranaryConfigFilter>();

        services.AddPrometheusMetrics(o =>
        {
            if (!gateway.HttpServerMetrics)
                o.MeterPrefixes.Remove("Microsoft.AspNetCore.Hosting");
        });
        services.TryAddSingleton<IPolicyProvider>(new BuiltInPolicyProvider(Random.Shared));
        services.AddSingleton<GatewayIdentity>();
        services.AddSingleton<SiloCircuit>();
        services.AddSingleton<LocalRateLimiter>();
        services.AddSingleton<ClusterBalancerRegistry>();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<BackendReporter>();
        // After the grain client's hosted service, so it stops before the client closes (stop runs in reverse).
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
        ConfigurePipeline(app);
        return app;
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
            var client = context.RequestServices.GetService<IClusterClient>();
            return Results.Json(new HealthResponse("ok", client?.IsConnected ?? false), HealthJsonContext.Default.HealthResponse);
        });
        app.MapPrometheusMetrics("/metrics");
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
