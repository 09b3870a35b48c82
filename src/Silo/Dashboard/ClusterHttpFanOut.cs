using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Runtime.Membership;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Granary.Silo.Dashboard;

/// <summary>
/// Makes the dashboard API cluster-wide: lists the silos of the membership table (every row not
/// Dead, with the HTTP port each advertised; read through <see cref="IMembershipTable.ReadAllAsync"/>,
/// cached for <see cref="MembersTtl"/>) and GETs a <c>/api/local/*</c> path from every other silo
/// concurrently, each within <see cref="PeerTimeout"/>. A silo that fails is reported with an error,
/// never failing the whole call. When the table cannot be read, the last good list is used (or this
/// silo alone).
/// </summary>
internal sealed partial class ClusterHttpFanOut : IDisposable
{
    /// <summary>Longest wait for one silo's answer: 1 s.</summary>
    public static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(1);

    /// <summary>How long a read of the membership table is reused: 1 s.</summary>
    public static readonly TimeSpan MembersTtl = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan TableReadTimeout = TimeSpan.FromSeconds(2);

    private readonly IMembershipTable _table;
    private readonly IMembershipViewProvider _views;
    private readonly ILocalSiloDetails _local;
    private readonly IServer? _server;
    private readonly TimeProvider _time;
    private readonly ILogger<ClusterHttpFanOut> _logger;
    private readonly HttpClient _http;
    private readonly Lock _gate = new();
    private (long Timestamp, IReadOnlyList<MembershipEntry> Entries)? _cached;
    private Task? _refreshing;
    private string? _selfUrl;

    public ClusterHttpFanOut(
        IMembershipTable table,
        IMembershipViewProvider views,
        ILocalSiloDetails local,
        TimeProvider time,
        ILogger<ClusterHttpFanOut> logger,
        IServer? server = null)
    {
        _table = table;
        _views = views;
        _local = local;
        _server = server;
        _time = time;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = PeerTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>This silo's HTTP base URL: its advertised host and HTTP port (the bound port when configured as 0); null before the server listens.</summary>
    public string? SelfUrl
    {
        get
        {
            if (_selfUrl is not null)
                return _selfUrl;
            var port = _local.HttpPort ?? BoundHttpPort();
            return port is null ? null : _selfUrl = Url(_local.SiloAddress.Host, port.Value);
        }
    }

    /// <summary>The silos to ask: this silo first, then every other non-Dead row of the membership table by endpoint.</summary>
    public async Task<ClusterSnapshot> GetMembersAsync(CancellationToken cancellationToken)
    {
        Task refresh;
        lock (_gate)
        {
            if (_cached is { } fresh && _time.GetElapsedTime(fresh.Timestamp) < MembersTtl)
                return Build(fresh.Entries);
            if (_refreshing is null || _refreshing.IsCompleted)
                _refreshing = RefreshAsync();
            refresh = _refreshing;
        }
        await refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
            return Build(_cached?.Entries ?? []);
    }

    /// <summary>
    /// GETs <paramref name="pathAndQuery"/> (a <c>/api/local/*</c> path) from every member except this
    /// silo, concurrently, each within <see cref="PeerTimeout"/>; answers in member order.
    /// <paramref name="adminKey"/>, when not null, is sent in <c>X-Admin-Key</c> (silos with admin keys
    /// answer <c>/api/local/*</c> only with one; see <see cref="Auth.AdminAuthenticator.PeerKey"/>).
    /// </summary>
    public Task<PeerAnswer[]> FetchAsync(ClusterSnapshot cluster, string pathAndQuery, string? adminKey, CancellationToken cancellationToken) =>
        Task.WhenAll(cluster.Members.Where(static m => !m.IsSelf).Select(m => FetchAsync(m, pathAndQuery, adminKey, cancellationToken)));

    /// <summary>GETs <paramref name="pathAndQuery"/> from one member within <see cref="PeerTimeout"/>, with <paramref name="adminKey"/> in <c>X-Admin-Key</c> when not null.</summary>
    public async Task<PeerAnswer> FetchAsync(ClusterMember member, string pathAndQuery, string? adminKey, CancellationToken cancellationToken)
    {
        if (member.HttpUrl is null)
            return new PeerAnswer(member, null, "The silo did not advertise an HTTP port");
        using var timeout = new CancellationTokenSource(PeerTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, member.HttpUrl + pathAndQuery);
            if (adminKey is not null)
                request.Headers.TryAddWithoutValidation(Auth.AdminAuthenticator.HeaderName, adminKey);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
                return new PeerAnswer(member, null, $"HTTP 401 from {member.HttpUrl}{pathAndQuery}: the silo does not accept this silo's admin key (the silos of a cluster must share at least one key)");
            if (!response.IsSuccessStatusCode)
                return new PeerAnswer(member, null, $"HTTP {(int)response.StatusCode} from {member.HttpUrl}{pathAndQuery}");
            await using var body = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            return new PeerAnswer(member, await JsonNode.ParseAsync(body, cancellationToken: linked.Token).ConfigureAwait(false), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new PeerAnswer(member, null, $"No answer within {PeerTimeout.TotalMilliseconds} ms");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or IOException)
        {
            return new PeerAnswer(member, null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task RefreshAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TableReadTimeout, _time);
            var snapshot = await _table.ReadAllAsync(timeout.Token).ConfigureAwait(false);
            var entries = snapshot.Entries.Where(static e => e.Status != SiloStatus.Dead).ToList();
            lock (_gate)
                _cached = (_time.GetTimestamp(), entries);
        }
        catch (Exception e)
        {
            // Keep serving the last good list (stale is better than nothing); retry on the next request.
            LogTableReadFailed(_logger, e);
        }
    }

    private ClusterSnapshot Build(IReadOnlyList<MembershipEntry> entries)
    {
        var self = _local.SiloAddress;
        var members = new List<ClusterMember>(entries.Count + 1);
        var selfStatus = entries.FirstOrDefault(e => e.Silo == self)?.Status.ToString() ?? "Unknown";
        members.Add(new ClusterMember(self, selfStatus, SelfUrl, IsSelf: true));
        foreach (var entry in entries)
        {
            if (entry.Silo != self)
                members.Add(new ClusterMember(entry.Silo, entry.Status.ToString(), entry.HttpPort is { } port ? Url(entry.Silo.Host, port) : null, IsSelf: false));
        }
        return new ClusterSnapshot(_views.Current.Version, members);
    }

    private int? BoundHttpPort()
    {
        var addresses = _server?.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null)
            return null;
        foreach (var address in addresses)
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Port != _local.SiloAddress.Port)
                return uri.Port;
        }
        return null;
    }

    private static string Url(string host, int port) => host.Contains(':', StringComparison.Ordinal) ? $"http://[{host}]:{port}" : $"http://{host}:{port}";

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Dashboard: reading the membership table failed; using the last known silo list")]
    private static partial void LogTableReadFailed(ILogger logger, Exception exception);
}
