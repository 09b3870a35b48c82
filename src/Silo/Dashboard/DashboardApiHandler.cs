using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Grains;
using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Granary.Silo.Admin;
using Granary.Silo.Api;
using Granary.Silo.Http;

namespace Granary.Silo.Dashboard;

/// <summary>
/// The dashboard's cluster-wide JSON API (<c>/api/overview</c>, <c>/api/backends</c>,
/// <c>/api/grains/{type}/{key}</c>), answered by any silo for the whole cluster through Orleans: the
/// membership table (overview; <c>/api/backends</c> asks the silos of this silo's membership view) and
/// each silo's statistics and activations from the management grain (<see cref="ClusterReader"/>), the
/// grains' state from the grains themselves. Each silo is asked on
/// its own and each call is awaited at most <see cref="GrainDeadline.Timeout"/>: a silo that fails is
/// reported with an <c>error</c>, never failing the whole answer. Reads never create backend or gateway
/// grains (only active ones are asked).
/// </summary>
internal sealed class DashboardApiHandler(
    IGrainFactory grains,
    ClusterReader cluster,
    CallRates rates,
    ILocalSiloDetails local,
    IClusterMembershipService membership,
    GrainDeadline deadline,
    IConfiguration configuration,
    TimeProvider time)
{
    /// <summary>Gateways whose last heartbeat is older than this are omitted: 15 s.</summary>
    public static readonly TimeSpan GatewayStaleAfter = TimeSpan.FromSeconds(15);

    /// <summary>Most backend grains described per answer (first by key); <c>total</c> counts them all.</summary>
    public const int MaxBackends = 1000;

    /// <summary>Most Dead silos listed in <c>/api/overview</c> (the latest incarnation of each address, newest first): 10.</summary>
    public const int MaxDeadSilos = 10;

    private static readonly string[] KnownTypes = [GrainTypes.Client, GrainTypes.Backend, GrainTypes.Gateway];

    private readonly string _clusterId = SiloApp.ClusterId(configuration);

    // ---- /api/overview ----

    public async Task<IResult> OverviewAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        var members = await MembersAsync(ct).ConfigureAwait(false);
        var live = members.Where(static m => m.Status != SiloStatus.Dead).Select(static m => m.SiloAddress).ToHashSet();
        rates.Retain(live);
        var reads = await Task.WhenAll(members.Select(m => DescribeSiloAsync(m, ct))).ConfigureAwait(false);

        var gateways = new Dictionary<string, GatewayView>(StringComparer.Ordinal);
        foreach (var gateway in reads.SelectMany(static r => r.Gateways))
        {
            // A gateway grain moving between silos can briefly be on two: keep the freshest heartbeat.
            if (!gateways.TryGetValue(gateway.Id, out var existing) || gateway.LastSeenAt > existing.LastSeenAt)
                gateways[gateway.Id] = gateway;
        }
        var overview = new ClusterOverview(_clusterId, membership.CurrentSnapshot.Version.Value, time.GetUtcNow().ToUnixTimeMilliseconds(),
            local.SiloAddress.ToParsableString(), reads.Select(static r => r.Silo).ToList(), gateways.Values.OrderBy(static g => g.Id, StringComparer.Ordinal).ToList());
        return Results.Json(overview, SiloJson.Options);
    }

    /// <summary>
    /// The silos to show: this one first, then every other silo that is not Dead (by address), then the
    /// latest Dead incarnation of each address (newest first, at most <see cref="MaxDeadSilos"/>), from the
    /// membership table, or from this silo's membership view when the table cannot be read.
    /// </summary>
    private async Task<List<MembershipEntry>> MembersAsync(CancellationToken ct)
    {
        IReadOnlyList<MembershipEntry> entries;
        try
        {
            entries = await cluster.HostsAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            entries = membership.CurrentSnapshot.Members.Values
                .Select(static m => new MembershipEntry { SiloAddress = m.SiloAddress, Status = m.Status, SiloName = m.Name })
                .ToList();
        }
        var self = local.SiloAddress;
        var alive = entries.Where(e => e.Status != SiloStatus.Dead && !e.SiloAddress.Equals(self))
            .OrderBy(static e => e.SiloAddress.Endpoint.ToString(), StringComparer.Ordinal).ThenByDescending(static e => e.SiloAddress.Generation);
        var dead = entries.Where(static e => e.Status == SiloStatus.Dead)
            .GroupBy(static e => e.SiloAddress.Endpoint)
            .Select(static g => g.MaxBy(static e => e.SiloAddress.Generation)!)
            .OrderByDescending(static e => e.SiloAddress.Generation)
            .Take(MaxDeadSilos);
        var selfEntry = entries.FirstOrDefault(e => e.SiloAddress.Equals(self))
            ?? new MembershipEntry { SiloAddress = self, Status = membership.CurrentSnapshot.GetSiloStatus(self), SiloName = local.Name };
        return [selfEntry, .. alive, .. dead];
    }

    private async Task<(SiloOverviewView Silo, List<GatewayView> Gateways)> DescribeSiloAsync(MembershipEntry entry, CancellationToken ct)
    {
        var silo = entry.SiloAddress;
        var view = new SiloOverviewView(silo.ToParsableString(), silo.Generation, entry.SiloName ?? "", entry.Status.ToString(),
            UnixMs(entry.StartTime), null, null, null, null, null, null);
        if (entry.Status == SiloStatus.Dead)
            return (view, []);
        var statsTask = cluster.StatisticsAsync(silo, ct);
        var countsTask = cluster.GrainCountsAsync(silo, ct);
        var loadTask = cluster.LoadAsync(silo, ct);
        var gatewaysTask = ReadGatewaysAsync(silo, ct);
        try
        {
            var stats = await statsTask.ConfigureAwait(false);
            var counts = await countsTask.ConfigureAwait(false);
            var load = await loadTask.ConfigureAwait(false);
            var byType = KnownTypes.ToDictionary(static t => t, static _ => 0, StringComparer.Ordinal);
            foreach (var count in counts)
            {
                if (GrainClasses.GrainTypeOf(count.GrainType) is { } type)
                    byType[type] += count.ActivationCount;
            }
            var environment = stats.EnvironmentStatistics;
            view = view with
            {
                Activations = stats.ActivationCount,
                Grains = byType,
                GrainCallsPerSec = rates.Observe(silo, load),
                CpuPercent = Math.Round(environment.FilteredCpuUsagePercentage, 1),
                MemoryMb = Math.Round(environment.FilteredMemoryUsageBytes / (1024.0 * 1024.0), 1),
            };
        }
        catch (Exception e) when (e is TimeoutException or OrleansException && !ct.IsCancellationRequested)
        {
            view = view with { Error = GrainDeadline.Describe(e) };
        }
        return (view, await gatewaysTask.ConfigureAwait(false));
    }

    private static long UnixMs(DateTime utc) =>
        utc <= DateTime.UnixEpoch ? 0 : new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();

    /// <summary>The gateways whose grains are active on <paramref name="silo"/> and reported within <see cref="GatewayStaleAfter"/>.</summary>
    private async Task<List<GatewayView>> ReadGatewaysAsync(SiloAddress silo, CancellationToken ct)
    {
        IReadOnlyList<GrainId> ids;
        try
        {
            ids = await cluster.ActivationsAsync(silo, GrainClasses.Gateway, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException && !ct.IsCancellationRequested)
        {
            return [];
        }
        var reads = await Task.WhenAll(ids.Select(id => ReadGatewayAsync(id.Key.ToString()!, ct))).ConfigureAwait(false);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var staleMs = (long)GatewayStaleAfter.TotalMilliseconds;
        var gateways = new List<GatewayView>(reads.Length);
        foreach (var s in reads)
        {
            if (s is null || s.ReportedAtUnixMs == 0)
                continue;
            var ago = Math.Max(0, now - s.ReportedAtUnixMs);
            if (ago > staleMs)
                continue;
            gateways.Add(new GatewayView(s.GatewayId, ago, s.RequestsPerSec, s.Fallback, s.SiloConnected, s.InFlight, s.ReportedAtUnixMs, silo.ToParsableString()));
        }
        return gateways;
    }

    private async Task<GatewayStats?> ReadGatewayAsync(string key, CancellationToken ct)
    {
        try
        {
            return await deadline.Run(grains.GetGrain<IGatewayGrain>(key).GetStatsAsync(), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (GrainErrors.IsGrainFailure(e) && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    // ---- /api/backends ----

    public async Task<IResult> BackendsAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        // The silos to ask: this silo's membership view (no table read), this silo first.
        var lists = await cluster.ActivationsEverywhereAsync(GrainClasses.Backend, ct).ConfigureAwait(false);

        // One entry per backend: while a grain moves, it can be active on two silos for a moment; the first
        // silo in member order (this one first) names it, the directory picks which activation answers.
        var where = new Dictionary<string, SiloAddress>(StringComparer.Ordinal);
        foreach (var (silo, ids, _) in lists)
        {
            foreach (var id in ids)
                where.TryAdd(id.Key.ToString()!, silo);
        }
        var keys = where.Keys.Order(StringComparer.Ordinal).Take(MaxBackends).ToList();
        var views = await Task.WhenAll(keys.Select(key => DescribeBackendAsync(key, ct))).ConfigureAwait(false);
        var backends = new JsonArray();
        for (var i = 0; i < keys.Count; i++)
        {
            var node = JsonSerializer.SerializeToNode(views[i], views[i].GetType(), SiloJson.Options)!.AsObject();
            node["silo"] = where[keys[i]].ToParsableString();
            backends.Add(node);
        }
        var errors = SiloErrorView.Of(lists);
        var result = new JsonObject
        {
            ["backends"] = backends,
            ["total"] = where.Count,
            ["errors"] = JsonSerializer.SerializeToNode(errors, SiloJson.Options),
        };
        return Results.Json(result, SiloJson.Options);
    }

    private async Task<object> DescribeBackendAsync(string key, CancellationToken ct)
    {
        try
        {
            return BackendView.From(await deadline.Run(grains.GetGrain<IBackendGrain>(key).GetDetailsAsync(), ct).ConfigureAwait(false));
        }
        catch (Exception e) when (GrainErrors.IsGrainFailure(e) && !ct.IsCancellationRequested)
        {
            BackendKey.TrySplit(key, out var clusterId, out var destination);
            return new BackendErrorView(clusterId, destination, GrainDeadline.Describe(e));
        }
    }

    // ---- /api/grains/{type}/{key} ----

    public async Task<IResult> GrainAsync(HttpContext context, string type, string rawKey)
    {
        if (!KnownTypes.Contains(type, StringComparer.Ordinal))
            return ErrorBody.Result(StatusCodes.Status404NotFound, $"Unknown grain type '{type}'; expected client, backend or gateway");
        // Kestrel decodes the path except %2F; a backend key "cluster/destination" may come either way.
        var key = rawKey.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        if (ValidateKey(type, key) is { } problem)
            return ErrorBody.Result(StatusCodes.Status400BadRequest, problem);

        var ct = context.RequestAborted;
        IAddressable grain = type switch
        {
            GrainTypes.Client => grains.GetGrain<IClientGrain>(key),
            GrainTypes.Backend => grains.GetGrain<IBackendGrain>(key),
            _ => grains.GetGrain<IGatewayGrain>(key),
        };
        var (owner, error) = await LocateAsync(grain, ct).ConfigureAwait(false);
        bool? active = error is null ? owner is not null : null;

        object? state = null;
        // Reading a client's state may activate it (its bucket is created from the registry); backend
        // and gateway grains are only read when active, so a lookup never creates them.
        if (type == GrainTypes.Client || active == true)
        {
            try
            {
                state = type switch
                {
                    GrainTypes.Client => ClientStateView.From(await deadline.Run(((IClientGrain)grain).GetStateAsync(), ct).ConfigureAwait(false)),
                    GrainTypes.Backend => BackendView.From(await deadline.Run(((IBackendGrain)grain).GetDetailsAsync(), ct).ConfigureAwait(false)),
                    _ => await deadline.Run(((IGatewayGrain)grain).GetStatsAsync(), ct).ConfigureAwait(false),
                };
                if (owner is null)
                    (owner, error) = await LocateAsync(grain, ct).ConfigureAwait(false);
                active = true;
            }
            catch (Exception e) when (GrainErrors.IsGrainFailure(e) && !ct.IsCancellationRequested)
            {
                error = GrainDeadline.Describe(e);
            }
        }
        return Results.Json(new GrainLookupView($"{type}/{key}", type, key, owner?.ToParsableString(), active, state, error), SiloJson.Options);
    }

    private async Task<(SiloAddress? Owner, string? Error)> LocateAsync(IAddressable grain, CancellationToken ct)
    {
        try
        {
            return (await cluster.LocateAsync(grain, ct).ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException && !ct.IsCancellationRequested)
        {
            return (null, "Grain directory: " + GrainDeadline.Describe(e));
        }
    }

    private static string? ValidateKey(string type, string key)
    {
        if (key.Length == 0 || key.Length > IClientRegistry.MaxClientIdLength)
            return $"The key must be 1-{IClientRegistry.MaxClientIdLength} characters";
        if (key.Any(char.IsControl))
            return "The key must not contain control characters";
        return type switch
        {
            GrainTypes.Client when !AdminClientId.IsValid(key) => AdminClientId.Explain(key),
            GrainTypes.Backend when !BackendKey.TrySplit(key, out _, out _) => "A backend key is 'cluster/destination' (URL-encode the slash as %2F or write it as a path segment)",
            _ => null,
        };
    }
}
