using System.Net;
using Granary.Grains;
using Granary.Hosting.Http;
using Granary.Hosting.Metrics;
using Granary.Hosting.Tls;
using Granary.PostgreSql;
using Granary.PostgreSql.Hosting;
using Granary.Silo.Admin;
using Granary.Silo.Api;
using Granary.Silo.Auth;
using Granary.Silo.Dashboard;
using Granary.Silo.Diagnostics;
using Granary.Silo.Http;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace Granary.Silo;

/// <summary>
/// Builds the silo host: one ASP.NET Core application that hosts an Orleans silo
/// (<c>UseOrleans</c>) with Granary's grains, and serves HTTP on its own port (admin API, <c>/api</c>,
/// <c>/dashboard</c>, Orleans's dashboard at <c>/orleans</c>, <c>/metrics</c>, <c>/healthz</c>).
/// Configuration keys (appsettings.json next to the assembly, command line
/// <c>--Granary:Silo:SiloPort=11112</c>, environment <c>Granary__Silo__SiloPort=11112</c>):
/// <list type="bullet">
/// <item><c>Granary:ClusterId</c> (default <c>granary</c>): Orleans's <see cref="ClusterOptions.ClusterId"/>; the
/// service id is always <c>granary</c>.</item>
/// <item><c>Granary:Silo:Host</c>, <c>AdvertisedHost</c>, <c>SiloPort</c> (11111), <c>GatewayPort</c> (30000),
/// <c>TurnLogPath</c> (<see cref="GranarySiloOptions"/>); <c>Granary:Silo:Membership:*</c> (failure detection,
/// <see cref="SiloMembership"/>); <c>Granary:Silo:WriteBehindIntervalMs</c> (client buckets, ≤ 1000 ms).</item>
/// <item><c>Granary:Silo:HttpPort</c> (9090), <c>HttpHost</c>, <c>AdminKey</c> / <c>AdminKeys</c>, <c>PublicReads</c>,
/// <c>PublicMetrics</c>, <c>MaxBodyBytes</c>, <c>Limits:*</c> (<see cref="SiloHttpOptions"/>; the HTTP port is behind
/// the admin key, see <see cref="AdminAuthenticator"/>; with no key it binds loopback only and a warning says so).</item>
/// <item><c>Granary:RateLimit:DefaultCapacity</c> / <c>DefaultRatePerSec</c>: limits of unregistered clients.</item>
/// <item><c>Granary:PostgreSql:ConnectionString</c>: when set, Orleans's ADO.NET clustering and grain storage and the
/// client registry live in PostgreSQL (schema migrated at start-up); unset, Orleans's development clustering
/// (this silo alone) and memory grain storage.</item>
/// <item><c>Granary:Tls:*</c>: mutual TLS on the silo and gateway ports (<see cref="GranaryTlsOptions"/>); without it
/// those ports listen on loopback only.</item>
/// </list>
/// Shutdown (SIGTERM): Kestrel stops, then the silo leaves the cluster gracefully, deactivating its grains
/// (client buckets are written), within <see cref="ShutdownTimeout"/>.
/// </summary>
internal static partial class SiloApp
{
    public const string SiloSection = GranarySiloOptions.Section;
    public const string RateLimitSection = "Granary:RateLimit";

    /// <summary>The configuration key of the cluster id: <c>Granary:ClusterId</c>.</summary>
    public const string ClusterIdKey = "Granary:ClusterId";

    /// <summary>The cluster id when <see cref="ClusterIdKey"/> is not set: <c>granary</c>.</summary>
    public const string DefaultClusterId = "granary";

    /// <summary>Orleans's <see cref="ClusterOptions.ServiceId"/> of every Granary cluster: <c>granary</c>.</summary>
    public const string ServiceId = "granary";

    /// <summary>The configuration key of the PostgreSQL connection string: <c>Granary:PostgreSql:ConnectionString</c>.</summary>
    public const string PostgreSqlConnectionStringKey = PostgreSqlDefaults.ConnectionStringKey;

    /// <summary>The route prefix of Orleans's dashboard: <c>/orleans</c>.</summary>
    public const string OrleansDashboardPath = "/orleans";

    /// <summary>Graceful shutdown budget: in-flight HTTP requests and grain deactivations, 30 s.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Keys of the home-made runtime that Orleans now owns: warned about (not used) when configured.</summary>
    private static readonly Dictionary<string, string> RemovedKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["GrainPort"] = "use SiloPort (silo-to-silo) and GatewayPort (gateways)",
        ["Generation"] = "Orleans assigns each incarnation its generation",
        ["MaxFrameBytes"] = "Orleans's messaging limits apply",
        ["ClusterSecret"] = "use mutual TLS, Granary:Tls",
        ["MaxConnections"] = "Orleans manages its connections",
        ["MaxInFlightPerConnection"] = "Orleans manages its connections",
        ["HandshakeTimeoutMs"] = "Orleans manages its connections (TLS: Granary:Tls:HandshakeTimeoutMs)",
        ["IdleTimeoutMs"] = "Orleans manages its connections",
        ["CollectionIntervalMs"] = "Orleans's activation collection applies",
        ["LocalCallTimeoutMs"] = "every grain method has its own response timeout",
        ["HeartbeatIntervalMs"] = "failure detection is Granary:Silo:Membership",
        ["LeaseDurationMs"] = "failure detection is Granary:Silo:Membership",
        ["MembershipRefreshIntervalMs"] = "use Granary:Silo:Membership:TableRefreshTimeout",
        ["WriteBehindMaxPending"] = "Orleans grain storage writes each bucket itself",
        ["ShutdownDrainMs"] = "Orleans's graceful shutdown deactivates the silo's grains",
        ["MaxActivations"] = "Orleans's activation collection applies",
        ["ActivationShedPercent"] = "Orleans's activation collection applies",
        ["MemoryPressureFraction"] = "Orleans's activation collection applies",
        ["MemoryPressureIdleTimeoutMs"] = "Orleans's activation collection applies",
    };

    /// <param name="args">Command line; <c>--Key=value</c> pairs override configuration.</param>
    /// <param name="configure">Optional hook (tests): runs after the defaults, before the host is built.</param>
    /// <exception cref="SiloConfigurationException">A configuration value is invalid; the message names every bad key.</exception>
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = DefaultContentRoot(args) });
        var configuration = builder.Configuration;
        var siloSection = configuration.GetSection(SiloSection);
        var siloOptions = siloSection.Get<GranarySiloOptions>() ?? new GranarySiloOptions();
        var httpOptions = siloSection.Get<SiloHttpOptions>() ?? new SiloHttpOptions();
        var tlsOptions = configuration.GetSection(GranaryTlsOptions.Section).Get<GranaryTlsOptions>() ?? new GranaryTlsOptions();
        var membership = new ClusterMembershipOptions();
        SiloMembership.Configure(membership, siloSection.GetSection("Membership"));
        // [limits] Granary:Silo:Limits: Kestrel's limits on the HTTP port (the admin API's body cap is Granary:Silo:MaxBodyBytes).
        var httpLimits = SiloHttpLimits(siloSection.GetSection("Limits"));
        var problems = siloOptions.Validate(httpOptions.HttpPort)
            .Concat(httpOptions.Validate())
            .Concat(httpLimits.Validate(LimitsSection))
            .Concat(tlsOptions.Validate())
            .Concat(SiloMembership.Validate(membership))
            .ToList();
        if (httpLimits.MaxRequestBodySize != 0 && httpLimits.MaxRequestBodySize < httpOptions.MaxBodyBytes)
            problems.Add($"{LimitsSection}:{nameof(HttpLimitsOptions.MaxRequestBodySize)} must be 0 or at least {SiloSection}:{nameof(SiloHttpOptions.MaxBodyBytes)} ({httpOptions.MaxBodyBytes}), got {httpLimits.MaxRequestBodySize}.");
        var listenAddress = ParseHost(siloOptions.Host);
        if (listenAddress is not null && !tlsOptions.Enabled && !IPAddress.IsLoopback(listenAddress))
            problems.Add($"{SiloSection}:{nameof(GranarySiloOptions.Host)} is '{siloOptions.Host}': without TLS the silo and gateway ports listen on a loopback address only: set {GranaryTlsOptions.Section}:{nameof(GranaryTlsOptions.CertificatePath)}, {GranaryTlsOptions.Section}:{nameof(GranaryTlsOptions.KeyPath)} and {GranaryTlsOptions.Section}:{nameof(GranaryTlsOptions.CaPath)}, or a loopback {SiloSection}:{nameof(GranarySiloOptions.Host)}.");
        var configuredHttpAddress = httpOptions.HttpHost is { Length: > 0 } httpHost ? ParseHost(httpHost) : listenAddress;
        if (configuredHttpAddress is null && httpOptions.HttpHost is { Length: > 0 })
            problems.Add($"{SiloSection}:{nameof(SiloHttpOptions.HttpHost)} must be an IP address, 'localhost' or '*', got '{httpOptions.HttpHost}'.");
        var hasKeys = httpOptions.ConfiguredKeys().Count > 0;
        // Kestrel binds endpoints from the "Kestrel:Endpoints" section besides the one listened on below: without a key they could expose the open admin API.
        if (!hasKeys && configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
            problems.Add($"Kestrel:Endpoints is not supported without an admin key ({SiloSection}:{nameof(SiloHttpOptions.AdminKey)}): the HTTP port would be open beyond loopback.");
        var tls = problems.Count == 0 && tlsOptions.Enabled ? LoadTls(tlsOptions, problems) : null;
        if (problems.Count > 0)
            throw new SiloConfigurationException(problems);

        var clusterId = ClusterId(configuration);
        var postgres = configuration[PostgreSqlConnectionStringKey];
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.UseOrleans(silo =>
        {
            if (postgres is { Length: > 0 })
            {
                // ADO.NET clustering and grain storage "granary" on PostgreSQL, the PostgreSQL client registry, start-up migrations.
                silo.UseGranaryPostgreSql(postgres);
            }
            else
            {
                // Development clustering: this silo is its own primary, alone in the cluster. It sets a loopback
                // advertised address, replaced by ConfigureEndpoints below.
                silo.UseLocalhostClustering(siloOptions.SiloPort, siloOptions.GatewayPort, null, ServiceId, clusterId);
                silo.AddMemoryGrainStorage(GrainStorageNames.Default);
            }
            ConfigureEndpoints(silo, siloOptions, listenAddress!);
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = ServiceId;
            });
            silo.Configure<ClusterMembershipOptions>(o => SiloMembership.Configure(o, siloSection.GetSection("Membership")));
            if (string.Equals(siloOptions.GrainDirectory, GranarySiloOptions.DistributedDirectory, StringComparison.OrdinalIgnoreCase))
            {
                // At most one activation per grain through membership changes (see GranarySiloOptions.GrainDirectory).
#pragma warning disable ORLEANSEXP003 // experimental in Orleans 10.4.2; chosen for its consistency, measured by the soak
                silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
            }
            if (tls is not null)
                silo.UseTls(tls.Configure);
            if (siloOptions.TurnLogPath is { Length: > 0 } turnLog)
                silo.AddTurnLog(turnLog);
            silo.Services.AddGranaryGrains(
                o => configuration.GetSection(RateLimitSection).Bind(o),
                o => siloSection.Bind(o));
            // [dash-api] Each silo counts the calls its Granary grains serve and tells any silo through a grain service.
            silo.Services.AddSingleton<GrainCallCounter>();
            silo.Services.AddSingleton<IIncomingGrainCallFilter>(sp => sp.GetRequiredService<GrainCallCounter>());
            silo.AddGrainService<SiloLoadService>();
            silo.Services.AddSingleton<SiloLoadClient>();
            // Orleans's own dashboard at /orleans, behind the admin key like the rest of the HTTP port; no live log stream.
            silo.AddDashboard(o => o.HideTrace = true);
        });

        // /metrics: meters Granary.* (Granary.Silo, Granary.Grains) and Microsoft.Orleans, ASP.NET Core's and Kestrel's, in Prometheus text.
        builder.Services.AddGranaryMetrics();
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
        // [dash-api] The dashboard's cluster-wide JSON API, read through Orleans's management grain and Granary's grains.
        builder.Services.AddSingleton<ClusterReader>();
        builder.Services.AddSingleton<CallRates>();
        builder.Services.AddSingleton<DashboardApiHandler>();
        builder.Services.AddSingleton<ClientsApiHandler>();
        builder.Services.AddSingleton<AdminAuthenticator>();
        builder.Services.AddSingleton<AdminSessionCookie>();
        // Explicit Listen call: --urls / ASPNETCORE_URLS are ignored (Kestrel logs that it overrides them).
        var httpAddress = hasKeys ? configuredHttpAddress! : LoopbackFor(configuredHttpAddress!);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // [limits] Request limits, a connection cap on the HTTP port, Kestrel's own rejections counted.
            kestrel.ApplyHttpLimits(httpLimits);
            kestrel.ApplicationServices.GetRequiredService<KestrelRejectionListener>();
            var connections = kestrel.ApplicationServices.GetRequiredService<ConnectionLimiter>();
            kestrel.Listen(httpAddress, httpOptions.HttpPort, listen => connections.Install(listen));
        });
        configure?.Invoke(builder);

        var app = builder.Build();
        app.Services.GetRequiredService<SiloMetrics>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SiloApp).FullName!);
        LogHttpSecurity(logger, httpOptions, configuredHttpAddress!, httpAddress);
        LogRemovedKeys(logger, siloSection);
        // Kestrel's "Now listening on: http://…" names the HTTP port only; say what the Orleans ports are, once started.
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(() => LogOrleansPorts(logger, siloOptions.Host, siloOptions.SiloPort, siloOptions.GatewayPort,
            tls is null ? "plain TCP" : "mutual TLS", postgres is { Length: > 0 } ? "PostgreSQL" : "development clustering, state in memory"));
        app.UseMiddleware<JsonErrorMiddleware>();
        app.UseDashboardFiles();
        app.UseMiddleware<AdminAuthMiddleware>();
        app.UseMiddleware<OrleansDashboardBackLink>();
        app.UseRouting();
        app.MapSiloEndpoints();
        app.MapOrleansDashboard(routePrefix: OrleansDashboardPath);
        return app;
    }

    /// <summary>
    /// Orleans's endpoints: the silo and gateway ports on <see cref="GranarySiloOptions.Host"/> (every address when
    /// it is a wildcard), advertising that address, or <see cref="GranarySiloOptions.AdvertisedHost"/>, or this
    /// machine's first address.
    /// </summary>
    private static void ConfigureEndpoints(ISiloBuilder silo, GranarySiloOptions options, IPAddress listen)
    {
        if (!options.ListensOnAnyAddress)
            silo.ConfigureEndpoints(listen, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: false);
        else if (options.AdvertisedHost is not { Length: > 0 } advertised)
            silo.ConfigureEndpoints(options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
        else if (IPAddress.TryParse(advertised, out var ip))
            silo.ConfigureEndpoints(ip, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
        else
            silo.ConfigureEndpoints(advertised, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
    }

    private static ClusterTls? LoadTls(GranaryTlsOptions options, List<string> problems)
    {
        try
        {
            return ClusterTls.Load(options);
        }
        catch (InvalidOperationException e)
        {
            problems.Add(e.Message);
            return null;
        }
    }

    /// <summary>
    /// The content root: this assembly's folder (where appsettings.json and wwwroot are copied), unless
    /// <c>--contentRoot</c> or <c>ASPNETCORE_CONTENTROOT</c>/<c>DOTNET_CONTENTROOT</c> says otherwise or the
    /// working directory has an appsettings.json of its own.
    /// </summary>
    public static string? DefaultContentRoot(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
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

    /// <summary>
    /// The PostgreSQL error behind a failed run (<paramref name="error"/> or one of its inner exceptions, aggregates
    /// included): a database that is missing, unreachable or refuses the login; null when the failure is something else.
    /// </summary>
    public static Npgsql.NpgsqlException? DatabaseFailure(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.NpgsqlException npgsql)
                return npgsql;
            if (e is AggregateException aggregate)
                return aggregate.InnerExceptions.Select(DatabaseFailure).FirstOrDefault(static x => x is not null);
        }
        return null;
    }

    /// <summary>
    /// The configured database for messages: <c>host:port/database as user</c> from <c>Granary:PostgreSql:ConnectionString</c>,
    /// never its password; <c>(no connection string)</c> when none is set, <c>(unreadable connection string)</c> when it does not parse.
    /// </summary>
    public static string DescribeDatabase(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[PostgreSqlConnectionStringKey];
        if (string.IsNullOrWhiteSpace(value))
            return "(no connection string)";
        try
        {
            var b = new Npgsql.NpgsqlConnectionStringBuilder(value);
            return $"{b.Host}:{b.Port}/{b.Database} as {b.Username}";
        }
        catch (ArgumentException)
        {
            return "(unreadable connection string)";
        }
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

    private static void LogRemovedKeys(ILogger logger, IConfigurationSection siloSection)
    {
        foreach (var child in siloSection.GetChildren())
        {
            if (RemovedKeys.TryGetValue(child.Key, out var hint))
                LogRemovedKey(logger, $"{SiloSection}:{child.Key}", hint);
        }
    }

    [LoggerMessage(EventId = 55, Level = LogLevel.Information, Message = "Orleans silo listening on {Host}: silo-to-silo port {SiloPort}, gateway port {GatewayPort} (binary Orleans protocol, {Transport}; not HTTP); membership and storage: {Storage}")]
    private static partial void LogOrleansPorts(ILogger logger, string host, int siloPort, int gatewayPort, string transport, string storage);

    [LoggerMessage(EventId = 50, Level = LogLevel.Warning, Message = "No admin key configured (Granary:Silo:AdminKey / AdminKeys): the admin API, /api and the dashboards are unauthenticated, so the HTTP port listens on loopback only ({Bound}); set an admin key to serve it beyond this machine")]
    private static partial void LogNoKeyLoopback(ILogger logger, string bound);

    [LoggerMessage(EventId = 51, Level = LogLevel.Warning, Message = "No admin key configured (Granary:Silo:AdminKey / AdminKeys): the HTTP port listens on {Bound} only, NOT on the configured {Configured}, because the admin API, /api and the dashboards would be unauthenticated; set an admin key to serve it there")]
    private static partial void LogNoKeyRebound(ILogger logger, string configured, string bound);

    [LoggerMessage(EventId = 52, Level = LogLevel.Information, Message = "Admin authentication on: {KeyCount} admin key(s); reads {Reads}, /metrics {Metrics}, /orleans behind the key (or its session cookie), /healthz and the dashboard's static files public")]
    private static partial void LogKeysOn(ILogger logger, int keyCount, string reads, string metrics);

    [LoggerMessage(EventId = 53, Level = LogLevel.Warning, Message = "Admin key #{Index} has only {Length} characters; use at least {Recommended} random characters")]
    private static partial void LogWeakKey(ILogger logger, int index, int length, int recommended);

    [LoggerMessage(EventId = 54, Level = LogLevel.Warning, Message = "Configuration key {Key} is no longer used on Orleans and is ignored: {Hint}")]
    private static partial void LogRemovedKey(ILogger logger, string key, string hint);

    /// <summary>The cluster id: <c>Granary:ClusterId</c>, default <c>granary</c>.</summary>
    public static string ClusterId(IConfiguration configuration) =>
        configuration[ClusterIdKey] is { Length: > 0 } id ? id : DefaultClusterId;

    /// <summary>An address for <see cref="GranarySiloOptions.Host"/> or <see cref="SiloHttpOptions.HttpHost"/>: an IP address, <c>localhost</c> (127.0.0.1) or <c>*</c>/<c>+</c> (any); null when invalid.</summary>
    public static IPAddress? ParseHost(string? host) => host switch
    {
        null => null,
        "localhost" => IPAddress.Loopback,
        "*" or "+" => IPAddress.Any,
        _ => IPAddress.TryParse(host, out var ip) ? ip : null,
    };
}
