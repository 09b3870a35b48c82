using System.Net;
using Granary.Grains;
using Granary.PostgreSql;
using Granary.PostgreSql.Hosting;
using Granary.PostgreSql.Membership;
using Granary.Runtime.Diagnostics;
using Granary.Runtime.Hosting;
using Granary.Runtime.Http;
using Granary.Silo.Admin;
using Granary.Silo.Api;
using Granary.Silo.Auth;
using Granary.Silo.Dashboard;
using Granary.Silo.Http;

namespace Granary.Silo;

/// <summary>
/// Builds the silo host: grain runtime and grains on the grain port, and HTTP (health, metrics,
/// admin API, <c>/api</c>) on the HTTP port. Configuration keys (appsettings, command line
/// <c>--Granary:Silo:GrainPort=11112</c>, environment <c>Granary__Silo__GrainPort=11112</c>):
/// <c>Granary:Silo:*</c> (<see cref="SiloOptions"/>: Host, GrainPort, Generation, …),
/// <c>Granary:Silo:HttpPort</c> (default 9090), <c>Granary:RateLimit:DefaultCapacity</c> and
/// <c>Granary:RateLimit:DefaultRatePerSec</c> (limits of unregistered clients),
/// <c>Granary:PostgreSql:ConnectionString</c> (when set: grain state and client registry in PostgreSQL,
/// schema migrated at start-up, cluster membership in PostgreSQL under <c>Granary:ClusterId</c>
/// (default <c>granary</c>); unset: in memory), <c>Granary:Silo:AdminKey</c> / <c>AdminKeys</c>,
/// <c>PublicReads</c>, <c>PublicMetrics</c>, <c>HttpHost</c> (<see cref="SiloHttpOptions"/>; the HTTP port is
/// behind the admin key, see <see cref="AdminAuthenticator"/>; with no key it binds loopback only and a
/// warning says so at start-up). The dashboard page is served at <c>/dashboard</c>.
/// </summary>
internal static partial class SiloApp
{
    public const string SiloSection = "Granary:Silo";
    public const string RateLimitSection = "Granary:RateLimit";

    /// <summary><c>Granary:Silo:ShutdownDrainMs</c> of a silo process when not configured: 1000 ms of redirecting to the new owners after going ShuttingDown (rolling restarts without failed calls).</summary>
    public const int DefaultShutdownDrainMs = 1000;

    /// <summary>Graceful shutdown budget: in-flight HTTP requests and grain deactivations, 30 s.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <param name="args">Command line; <c>--Key=value</c> pairs override configuration.</param>
    /// <param name="configure">Optional hook (tests): runs after the defaults, before the host is built.</param>
    /// <exception cref="InvalidOperationException">A configuration value is invalid; the message names it.</exception>
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        var siloSection = builder.Configuration.GetSection(SiloSection);
        var siloOptions = siloSection.Get<SiloOptions>() ?? new SiloOptions();
        var httpOptions = siloSection.Get<SiloHttpOptions>() ?? new SiloHttpOptions();
        // [limits] Granary:Silo:Limits: Kestrel's limits on the HTTP port (the admin API's body cap is Granary:Silo:MaxBodyBytes).
        var httpLimits = SiloHttpLimits(siloSection.GetSection("Limits"));
        var problems = siloOptions.Validate().Concat(httpOptions.Validate()).Concat(httpLimits.Validate(LimitsSection)).ToList();
        if (httpLimits.MaxRequestBodySize != 0 && httpLimits.MaxRequestBodySize < httpOptions.MaxBodyBytes)
            problems.Add($"{LimitsSection}:{nameof(HttpLimitsOptions.MaxRequestBodySize)} must be 0 or at least {SiloSection}:{nameof(SiloHttpOptions.MaxBodyBytes)} ({httpOptions.MaxBodyBytes}), got {httpLimits.MaxRequestBodySize}.");
        var address = ParseHost(siloOptions.Host);
        if (address is null)
            problems.Add($"{SiloSection}:{nameof(SiloOptions.Host)} must be an IP address, 'localhost' or '*', got '{siloOptions.Host}'.");
        var configuredHttpAddress = httpOptions.HttpHost is { Length: > 0 } httpHost ? ParseHost(httpHost) : address;
        if (configuredHttpAddress is null && httpOptions.HttpHost is { Length: > 0 })
            problems.Add($"{SiloSection}:{nameof(SiloHttpOptions.HttpHost)} must be an IP address, 'localhost' or '*', got '{httpOptions.HttpHost}'.");
        var hasKeys = httpOptions.ConfiguredKeys().Count > 0;
        // Kestrel binds endpoints from the "Kestrel:Endpoints" section besides the ones listened on below: without a key they could expose the open admin API.
        if (!hasKeys && builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
            problems.Add($"Kestrel:Endpoints is not supported without an admin key ({SiloSection}:{nameof(SiloHttpOptions.AdminKey)}): the HTTP port would be open beyond loopback.");
        if (problems.Count > 0)
            throw new InvalidOperationException("Invalid silo configuration: " + string.Join(" ", problems));

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        // PostgreSQL grain storage + client registry + schema migrations (issue 3). Must come BEFORE
        // AddGranarySilo/AddGranaryGrains: the migration service has to be the first hosted service.
        if (builder.Configuration[PostgreSqlDefaults.ConnectionStringKey] is { Length: > 0 } postgres)
            builder.Services.AddGranaryPostgreSqlStorage(postgres);
        // [pg-membership] Cluster membership in PostgreSQL (cluster Granary:ClusterId, default "granary") when the connection string is set.
        if (builder.Configuration[PostgreSqlDefaults.ConnectionStringKey] is { Length: > 0 } membershipDb)
            builder.Services.AddGranaryPostgreSqlMembership(membershipDb, ClusterId(builder.Configuration));
        // [pg-membership] The HTTP port is advertised in the membership table (dashboard reaches every silo).
        builder.Services.AddGranarySilo(o =>
        {
            // A silo process drains for 1 s on SIGTERM unless told otherwise (the runtime's own default is 0).
            o.ShutdownDrainMs = DefaultShutdownDrainMs;
            siloSection.Bind(o);
            o.HttpPort ??= httpOptions.HttpPort;
        });
        builder.Services.AddGranaryGrains(o => builder.Configuration.GetSection(RateLimitSection).Bind(o));
        builder.Services.AddPrometheusMetrics();
        builder.Services.ConfigureHttpJsonOptions(o => SiloJson.Configure(o.SerializerOptions));
        builder.Services.AddSingleton(httpOptions);
        builder.Services.AddSingleton<GrainDeadline>();
        builder.Services.AddSingleton<SiloMetrics>();
        builder.Services.AddSingleton(sp =>
        {
            var metrics = sp.GetRequiredService<SiloMetrics>();
            return new ConnectionLimiter(httpLimits.MaxConcurrentConnections, () => metrics.LimitRejected(HttpLimitKinds.Connections));
        });
        builder.Services.AddSingleton(sp => new KestrelRejectionListener(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<SiloMetrics>().LimitRejected));
        builder.Services.AddSingleton<ClientAdminHandler>();
        builder.Services.AddSingleton<GrainStateHandler>();
        // [dash-api] The dashboard: 1 s load sampler, cluster-wide fan-out over the silos' HTTP ports, JSON API, admin key.
        builder.Services.AddSingleton<SiloStatsSampler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SiloStatsSampler>());
        builder.Services.AddSingleton<ClusterHttpFanOut>();
        builder.Services.AddSingleton<DashboardApiHandler>();
        builder.Services.AddSingleton<ClientsApiHandler>();
        builder.Services.AddSingleton<AdminAuthenticator>();
        // Explicit Listen calls: --urls / ASPNETCORE_URLS are ignored (Kestrel logs that it overrides them).
        var httpAddress = hasKeys ? configuredHttpAddress! : LoopbackFor(configuredHttpAddress!);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenGrainPort(siloOptions);
            // [limits] Request limits (HTTP only; the grain port speaks frames), a connection cap on the HTTP port alone, Kestrel's own rejections counted.
            kestrel.ApplyHttpLimits(httpLimits);
            kestrel.ApplicationServices.GetRequiredService<KestrelRejectionListener>();
            var connections = kestrel.ApplicationServices.GetRequiredService<ConnectionLimiter>();
            kestrel.Listen(httpAddress, httpOptions.HttpPort, listen => connections.Install(listen));
        });
        configure?.Invoke(builder);

        var app = builder.Build();
        app.Services.GetRequiredService<SiloMetrics>();
        LogHttpSecurity(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SiloApp).FullName!), httpOptions, configuredHttpAddress!, httpAddress);
        app.UseMiddleware<JsonErrorMiddleware>();
        app.UseDashboardFiles();
        app.UseMiddleware<AdminAuthMiddleware>();
        app.UseRouting();
        app.MapSiloEndpoints();
        return app;
    }

    /// <summary>[limits] The configuration section of the silo's HTTP limits.</summary>
    public const string LimitsSection = SiloSection + ":Limits";

    /// <summary>
    /// [limits] The HTTP limits of the silo's HTTP port: <see cref="HttpLimitsOptions"/> bound from <paramref name="section"/>
    /// over the silo's defaults (1,000 connections; the rest as on gateways). The admin API answers bodies over
    /// <see cref="SiloHttpOptions.MaxBodyBytes"/> with 413 and keeps the connection (Kestrel drains the rest up to
    /// <see cref="HttpLimitsOptions.MaxRequestBodySize"/>, which must be at least that); beyond the Kestrel limit the 413
    /// closes the connection.
    /// </summary>
    public static HttpLimitsOptions SiloHttpLimits(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var limits = new HttpLimitsOptions { MaxConcurrentConnections = 1_000 };
        section.Bind(limits);
        return limits;
    }

    /// <summary>
    /// The HTTP bind address when no admin key is configured: <paramref name="configured"/> when it is a
    /// loopback address, else 127.0.0.1 (::1 for an IPv6 address such as <c>::</c>).
    /// </summary>
    public static IPAddress LoopbackFor(IPAddress configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        if (IPAddress.IsLoopback(configured))
            return configured;
        return configured.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !configured.IsIPv4MappedToIPv6
            ? IPAddress.IPv6Loopback
            : IPAddress.Loopback;
    }

    private static void LogHttpSecurity(ILogger logger, SiloHttpOptions options, IPAddress configured, IPAddress bound)
    {
        var keys = options.ConfiguredKeys();
        if (keys.Count == 0)
        {
            if (configured.Equals(bound))
                LogNoKeyLoopback(logger, bound.ToString());
            else
                LogNoKeyRebound(logger, configured.ToString(), bound.ToString());
            return;
        }
        LogKeysOn(logger, keys.Count, options.PublicReads ? "public" : "behind the key", options.PublicMetrics ? "public" : "behind the key");
        for (var i = 0; i < keys.Count; i++)
        {
            if (keys[i].Length < SiloHttpOptions.RecommendedKeyLength)
                LogWeakKey(logger, i + 1, keys[i].Length, SiloHttpOptions.RecommendedKeyLength);
        }
    }

    [LoggerMessage(EventId = 50, Level = LogLevel.Warning, Message = "No admin key configured (Granary:Silo:AdminKey / AdminKeys): the admin API, /api and the dashboard are unauthenticated, so the HTTP port listens on loopback only ({Bound}); set an admin key to serve it beyond this machine")]
    private static partial void LogNoKeyLoopback(ILogger logger, string bound);

    [LoggerMessage(EventId = 51, Level = LogLevel.Warning, Message = "No admin key configured (Granary:Silo:AdminKey / AdminKeys): the HTTP port listens on {Bound} only, NOT on the configured {Configured}, because the admin API, /api and the dashboard would be unauthenticated; set an admin key to serve it there")]
    private static partial void LogNoKeyRebound(ILogger logger, string configured, string bound);

    [LoggerMessage(EventId = 52, Level = LogLevel.Information, Message = "Admin authentication on: {KeyCount} admin key(s); reads {Reads}, /metrics {Metrics}, /healthz and the dashboard's static files public")]
    private static partial void LogKeysOn(ILogger logger, int keyCount, string reads, string metrics);

    [LoggerMessage(EventId = 53, Level = LogLevel.Warning, Message = "Admin key #{Index} has only {Length} characters; use at least {Recommended} random characters")]
    private static partial void LogWeakKey(ILogger logger, int index, int length, int recommended);

    /// <summary>[pg-membership] The cluster id: <c>Granary:ClusterId</c>, default <c>granary</c>.</summary>
    public static string ClusterId(IConfiguration configuration) =>
        configuration[PostgreSqlMembershipDefaults.ClusterIdKey] is { Length: > 0 } id ? id : PostgreSqlMembershipDefaults.DefaultClusterId;

    /// <summary>The HTTP bind address for a <see cref="SiloOptions.Host"/> (same forms the grain port accepts); null when invalid.</summary>
    public static IPAddress? ParseHost(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        "*" or "+" => IPAddress.Any,
        _ => IPAddress.TryParse(host, out var ip) ? ip : null,
    };
}
