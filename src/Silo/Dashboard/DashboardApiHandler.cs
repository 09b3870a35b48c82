using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Grains.Contracts;
using Granary.Runtime;
using Granary.Runtime.Hosting;
using Granary.Runtime.Membership;
using Granary.Runtime.Placement;
using Granary.Silo.Admin;
using Granary.Silo.Api;
using Granary.Silo.Auth;
using Granary.Silo.Http;

namespace Granary.Silo.Dashboard;

/// <summary>
/// The dashboard's cluster-wide JSON API (<c>/api/overview</c>, <c>/api/backends</c>,
/// <c>/api/grains/{type}/{key}</c>) and the per-silo answers it is built from (<c>/api/local/*</c>).
/// Cluster endpoints take this silo's own answer plus every other silo's <c>/api/local/*</c> answer
/// (<see cref="ClusterHttpFanOut"/>); a silo that fails is reported with an <c>error</c>. Grain calls
/// made for <c>/api/local/*</c> have <see cref="LocalGrainDeadline"/> (so a silo answers within the
/// fan-out's 1 s); the others <see cref="GrainDeadline"/>. Reads never create backend or gateway grains.
/// Peers are asked with the admin key of <see cref="AdminAuthenticator.PeerKey"/>.
/// </summary>
internal sealed class DashboardApiHandler(
    IActivationDirectory directory,
    IGrainFactory grains,
    IMembershipViewProvider views,
    ILocalSiloDetails local,
    ClusterHttpFanOut fanOut,
    AdminAuthenticator auth,
    SiloStatsSampler sampler,
    IConfiguration configuration,
    TimeProvider time)
{
    /// <summary>Deadline of one grain call made for a <c>/api/local/*</c> answer: 600 ms.</summary>
    public static readonly TimeSpan LocalGrainDeadline = TimeSpan.FromMilliseconds(600);

    /// <summary>Deadline of one grain call made for <c>/api/clients</c> or <c>/api/grains</c>: 2 s.</summary>
    public static readonly TimeSpan GrainDeadline = TimeSpan.FromSeconds(2);

    /// <summary>Gateways whose last heartbeat is older than this are omitted: 15 s.</summary>
    public static readonly TimeSpan GatewayStaleAfter = TimeSpan.FromSeconds(15);

    /// <summary>Most backend grains one silo describes per answer (first by id); <c>total</c> counts them all.</summary>
    public const int MaxBackendsPerSilo = 1000;

    private static readonly string[] GrainTypes = [GrainDescriptors.ClientGrainType, GrainDescriptors.BackendGrainType, GrainDescriptors.GatewayGrainType];

    private readonly string _clusterId = SiloApp.ClusterId(configuration);

    // ---- /api/overview ----

    public async Task<IResult> LocalOverviewAsync(HttpContext context) =>
        Results.Json(await BuildLocalOverviewAsync(await fanOut.GetMembersAsync(context.RequestAborted).ConfigureAwait(false), context.RequestAborted).ConfigureAwait(false), SiloJson.Options);

    public async Task<IResult> OverviewAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        var cluster = await fanOut.GetMembersAsync(ct).ConfigureAwait(false);
        var peersTask = fanOut.FetchAsync(cluster, "/api/local/overview", auth.PeerKey(context), ct);
        var local = await BuildLocalOverviewAsync(cluster, ct).ConfigureAwait(false);
        var peers = await peersTask.ConfigureAwait(false);

        var silos = new List<SiloOverviewView>(cluster.Members.Count) { local.Silo };
        var gateways = new Dictionary<string, GatewayView>(StringComparer.Ordinal);
        AddGateways(gateways, local.Gateways);
        foreach (var peer in peers)
        {
            var member = peer.Member;
            LocalOverview? answer = null;
            var error = peer.Error;
            if (peer.Body is not null)
            {
                try
                {
                    answer = peer.Body.Deserialize<LocalOverview>(SiloJson.Options);
                }
                catch (JsonException e)
                {
                    error = "Malformed answer: " + e.Message;
                }
            }
            if (answer?.Silo is { } silo)
            {
                // The table is the cluster's truth for identity and status.
                silos.Add(silo with { Address = member.Silo.ToString(), Generation = member.Silo.Generation, HttpUrl = member.HttpUrl, Status = member.Status });
                AddGateways(gateways, answer.Gateways ?? []);
            }
            else
            {
                silos.Add(new SiloOverviewView(member.Silo.ToString(), member.Silo.Generation, member.HttpUrl, member.Status, null, null, null, null,
                    error ?? "Empty answer"));
            }
        }
        var overview = new ClusterOverview(_clusterId, cluster.ViewVersion, time.GetUtcNow().ToUnixTimeMilliseconds(), cluster.Self.Silo.ToString(),
            silos, gateways.Values.OrderBy(static g => g.Id, StringComparer.Ordinal).ToList());
        return Results.Json(overview, SiloJson.Options);
    }

    private async Task<LocalOverview> BuildLocalOverviewAsync(ClusterSnapshot cluster, CancellationToken ct)
    {
        var self = cluster.Self;
        var stats = sampler.Current;
        var silo = new SiloOverviewView(self.Silo.ToString(), self.Silo.Generation, self.HttpUrl, self.Status,
            directory.Count, stats.GrainCallsPerSec, stats.CpuPercent, stats.MemoryMb, null);
        var ids = directory.GetActivations(GrainDescriptors.GatewayGrainType);
        var reads = await Task.WhenAll(ids.Select(id => ReadGatewayAsync(id.Key, ct))).ConfigureAwait(false);
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
            gateways.Add(new GatewayView(s.GatewayId, ago, s.RequestsPerSec, s.Fallback, s.SiloConnected, s.InFlight, s.ReportedAtUnixMs, silo.Address));
        }
        return new LocalOverview(silo, gateways);
    }

    private async Task<GatewayStats?> ReadGatewayAsync(string key, CancellationToken ct)
    {
        try
        {
            return await Call(grains.GetGrain<IGatewayGrain>(key).GetStatsAsync(), LocalGrainDeadline, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private static void AddGateways(Dictionary<string, GatewayView> into, IEnumerable<GatewayView> gateways)
    {
        // A gateway grain moving between silos can briefly be on two: keep the freshest heartbeat.
        foreach (var g in gateways)
        {
            if (!into.TryGetValue(g.Id, out var existing) || g.LastSeenAt > existing.LastSeenAt)
                into[g.Id] = g;
        }
    }

    // ---- /api/backends ----

    public async Task<IResult> LocalBackendsAsync(HttpContext context)
    {
        var (backends, total) = await BuildLocalBackendsAsync(context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new JsonObject { ["backends"] = backends, ["total"] = total }, SiloJson.Options);
    }

    public async Task<IResult> BackendsAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        var cluster = await fanOut.GetMembersAsync(ct).ConfigureAwait(false);
        var peersTask = fanOut.FetchAsync(cluster, "/api/local/backends", auth.PeerKey(context), ct);
        var (local, localTotal) = await BuildLocalBackendsAsync(ct).ConfigureAwait(false);
        var peers = await peersTask.ConfigureAwait(false);

        var all = new List<JsonObject>();
        var notShown = localTotal - local.Count;
        TakeObjects(local, all);
        var errors = new List<SiloErrorView>();
        foreach (var peer in peers)
        {
            if (peer.Body?["backends"] is JsonArray array)
            {
                var shown = array.Count;
                TakeObjects(array, all);
                notShown += Math.Max(0, (peer.Body["total"]?.GetValueKind() == JsonValueKind.Number ? peer.Body["total"]!.GetValue<int>() : shown) - shown);
            }
            else
            {
                errors.Add(new SiloErrorView(peer.Member.Silo.ToString(), peer.Member.HttpUrl, peer.Error ?? "Malformed answer: no backends array"));
            }
        }
        var merged = Deduplicate(all);
        var result = new JsonObject
        {
            ["backends"] = new JsonArray([.. merged]),
            ["total"] = merged.Count + notShown,
            ["errors"] = JsonSerializer.SerializeToNode(errors, SiloJson.Options),
        };
        return Results.Json(result, SiloJson.Options);
    }

    private async Task<(JsonArray Backends, int Total)> BuildLocalBackendsAsync(CancellationToken ct)
    {
        var keys = directory.GetActivations(GrainDescriptors.BackendGrainType).Select(static id => id.Key).Order(StringComparer.Ordinal).ToList();
        var views = await Task.WhenAll(keys.Take(MaxBackendsPerSilo).Select(key => DescribeBackendAsync(key, LocalGrainDeadline, ct))).ConfigureAwait(false);
        var self = fanOut.SelfUrl;
        var address = local.SiloAddress.ToString();
        var array = new JsonArray();
        foreach (var view in views)
        {
            var node = JsonSerializer.SerializeToNode(view, view.GetType(), SiloJson.Options)!.AsObject();
            node["silo"] = address;
            node["silo_http_url"] = self;
            array.Add(node);
        }
        return (array, keys.Count);
    }

    private async Task<object> DescribeBackendAsync(string key, TimeSpan deadline, CancellationToken ct)
    {
        try
        {
            return BackendView.From(await Call(grains.GetGrain<IBackendGrain>(key).GetDetailsAsync(), deadline, ct).ConfigureAwait(false));
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            BackendKey.TrySplit(key, out var cluster, out var destination);
            return new BackendErrorView(cluster, destination, Describe(e, deadline));
        }
    }

    private static void TakeObjects(JsonArray from, List<JsonObject> into)
    {
        var items = from.ToList();
        from.Clear();
        foreach (var item in items)
        {
            if (item is JsonObject o)
                into.Add(o);
        }
    }

    /// <summary>
    /// One entry per backend (cluster, destination), sorted: while ownership moves, a backend can be
    /// active on two silos for a moment; the one on its owner in this silo's view wins.
    /// </summary>
    private List<JsonObject> Deduplicate(List<JsonObject> all)
    {
        var active = views.Current.ActiveSilos;
        var byKey = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var o in all)
        {
            var key = BackendKey.For(Text(o, "cluster_id"), Text(o, "destination_id"));
            if (!byKey.TryGetValue(key, out var existing))
            {
                byKey[key] = o;
                continue;
            }
            var owner = RendezvousPlacement.SelectOwner(new GrainId(GrainDescriptors.BackendGrainType, key), active)?.ToString();
            if (owner is not null && Text(o, "silo") == owner && Text(existing, "silo") != owner)
                byKey[key] = o;
        }
        return byKey.OrderBy(static p => p.Key, StringComparer.Ordinal).Select(static p => p.Value).ToList();
    }

    private static string Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";

    // ---- /api/grains/{type}/{key} ----

    /// <summary><c>GET /api/local/active?type=&amp;key=</c>: whether the grain is active on this silo (<c>{"active":bool}</c>).</summary>
    public IResult LocalActive(string? type, string? key)
    {
        if (string.IsNullOrEmpty(type) || string.IsNullOrEmpty(key))
            return ErrorBody.Result(StatusCodes.Status400BadRequest, "type and key are required");
        return Results.Json(new { Active = IsActiveHere(new GrainId(type, key)) }, SiloJson.Options);
    }

    public async Task<IResult> GrainAsync(HttpContext context, string type, string rawKey)
    {
        if (!GrainTypes.Contains(type, StringComparer.Ordinal))
            return ErrorBody.Result(StatusCodes.Status404NotFound, $"Unknown grain type '{type}'; expected client, backend or gateway");
        // Kestrel decodes the path except %2F; a backend key "cluster/destination" may come either way.
        var key = rawKey.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        if (ValidateKey(type, key) is { } problem)
            return ErrorBody.Result(StatusCodes.Status400BadRequest, problem);

        var ct = context.RequestAborted;
        var grainId = new GrainId(type, key);
        var cluster = await fanOut.GetMembersAsync(ct).ConfigureAwait(false);
        var owner = RendezvousPlacement.SelectOwner(grainId, views.Current.ActiveSilos);
        var ownerMember = owner is null ? null : cluster.Members.FirstOrDefault(m => m.Silo == owner);
        bool? active;
        string? error = null;
        if (owner is null)
            active = false;
        else if (owner == cluster.Self.Silo)
            active = IsActiveHere(grainId);
        else if (ownerMember is null)
            (active, error) = (null, $"Owner {owner} is not in the membership table");
        else
        {
            var answer = await fanOut.FetchAsync(ownerMember, $"/api/local/active?type={Uri.EscapeDataString(type)}&key={Uri.EscapeDataString(key)}", auth.PeerKey(context), ct).ConfigureAwait(false);
            active = answer.Body?["active"] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;
            if (active is null)
                error = answer.Error ?? "Malformed answer from the owner";
        }

        object? state = null;
        // Reading a client's state may activate it (its bucket is created from the registry); backend
        // and gateway grains are only read when already active, so a lookup never creates them.
        if (type == GrainDescriptors.ClientGrainType || active == true)
        {
            try
            {
                state = type switch
                {
                    GrainDescriptors.ClientGrainType => ClientStateView.From(await Call(grains.GetGrain<IClientGrain>(key).GetStateAsync(), GrainDeadline, ct).ConfigureAwait(false)),
                    GrainDescriptors.BackendGrainType => BackendView.From(await Call(grains.GetGrain<IBackendGrain>(key).GetDetailsAsync(), GrainDeadline, ct).ConfigureAwait(false)),
                    _ => await Call(grains.GetGrain<IGatewayGrain>(key).GetStatsAsync(), GrainDeadline, ct).ConfigureAwait(false),
                };
                active = true;
                error = null;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                error = Describe(e, GrainDeadline);
            }
        }
        return Results.Json(new GrainLookupView(grainId.ToString(), type, key, owner?.ToString(), ownerMember?.HttpUrl, active, state, error), SiloJson.Options);
    }

    private bool IsActiveHere(GrainId grainId) => directory.GetActivations(grainId.Type).Contains(grainId);

    private static string? ValidateKey(string type, string key)
    {
        if (key.Length == 0 || key.Length > GrainId.MaxKeyLength)
            return $"The key must be 1-{GrainId.MaxKeyLength} characters";
        if (key.Any(char.IsControl))
            return "The key must not contain control characters";
        return type switch
        {
            GrainDescriptors.ClientGrainType when !AdminClientId.IsValid(key) => AdminClientId.Explain(key),
            GrainDescriptors.BackendGrainType when !BackendKey.TrySplit(key, out _, out _) => "A backend key is 'cluster/destination' (URL-encode the slash as %2F or write it as a path segment)",
            _ => null,
        };
    }

    // ---- shared ----

    /// <summary>One grain call with a deadline (by <paramref name="deadline"/> on the injected clock).</summary>
    public Task<T> Call<T>(ValueTask<T> call, TimeSpan deadline, CancellationToken ct) => call.AsTask().WaitAsync(deadline, time, ct);

    /// <summary>A short description of a failed grain call for a JSON <c>error</c> field.</summary>
    public static string Describe(Exception e, TimeSpan deadline) => e switch
    {
        TimeoutException => $"The grain did not answer within {deadline.TotalMilliseconds} ms",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
