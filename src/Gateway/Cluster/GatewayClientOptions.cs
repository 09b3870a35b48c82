using System.Globalization;
using System.Net;

namespace Granary.Gateway.Cluster;

/// <summary>
/// The gateway's Orleans client (configuration section <c>Granary:Client</c>). Without
/// <c>Granary:PostgreSql:ConnectionString</c> the client knows the silos' Orleans gateway endpoints from
/// <see cref="Gateways"/> (Orleans's static clustering); with it, from Orleans's ADO.NET membership table
/// of cluster <c>Granary:ClusterId</c>, re-read every <see cref="GatewayListRefreshMs"/>.
/// The old keys <c>Silos</c> and <c>CallTimeoutMs</c> are gone: the silos' Orleans gateway ports replace the
/// grain ports, and every grain method has its own response timeout (<c>GrainCallTimeouts</c>).
/// </summary>
internal sealed class GatewayClientOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Granary:Client";

    /// <summary>The endpoint used when <see cref="Gateways"/> is empty: the local profile's first silo's Orleans gateway port.</summary>
    public const string DefaultGateway = "127.0.0.1:30000";

    /// <summary>
    /// Orleans gateway endpoints of the silos (<c>Granary:Silo:GatewayPort</c>, 30000+i in the local profile), each
    /// <c>ip:port</c> (IPv6 as <c>[::1]:30000</c>; <c>localhost</c> means 127.0.0.1; host names are not resolved,
    /// since Orleans's static gateway list takes IP addresses). Empty (the default) means <see cref="DefaultGateway"/>:
    /// empty by default because configuration binding appends to a list. Ignored with PostgreSQL.
    /// </summary>
    public List<string> Gateways { get; set; } = [];

    /// <summary>
    /// Wait between two attempts to reach a silo while none answers (at start, and after the connection to every
    /// silo was lost), ms; 50–60,000; default 1000. Meanwhile the gateway serves with local decisions.
    /// </summary>
    public int ConnectRetryDelayMs { get; set; } = 1000;

    /// <summary>
    /// With PostgreSQL: how often the client re-reads the live silos' gateways from the membership table
    /// (Orleans's <c>GatewayOptions.GatewayListRefreshPeriod</c>, 1 min by default, shortened so a new silo is used
    /// at once), ms; 100–600,000; default 1000.
    /// </summary>
    public int GatewayListRefreshMs { get; set; } = 1000;

    /// <summary>The endpoints to use: <see cref="Gateways"/>, or <see cref="DefaultGateway"/> when it is empty.</summary>
    public IReadOnlyList<string> ResolvedGateways => Gateways.Count == 0 ? [DefaultGateway] : Gateways;

    /// <summary>The parsed <see cref="ResolvedGateways"/>; call after <see cref="Validate"/> found no problem.</summary>
    /// <exception cref="FormatException">An entry is not <c>ip:port</c>.</exception>
    public IReadOnlyList<IPEndPoint> GatewayEndpoints()
    {
        var result = new List<IPEndPoint>();
        foreach (var gateway in ResolvedGateways)
            result.Add(TryParseEndpoint(gateway, out var endpoint) ? endpoint : throw new FormatException($"'{gateway}' is not ip:port."));
        return result;
    }

    /// <summary>Checks the values; returns the problems, each naming the key and its limits.</summary>
    /// <param name="usesPostgreSql">True when the gateway list comes from PostgreSQL (<see cref="Gateways"/> is then not checked).</param>
    public IEnumerable<string> Validate(bool usesPostgreSql)
    {
        if (!usesPostgreSql)
        {
            for (var i = 0; i < Gateways.Count; i++)
            {
                if (!TryParseEndpoint(Gateways[i], out _))
                    yield return $"{Section}:{nameof(Gateways)}:{i} must be ip:port (an IP address or localhost, and a port 1–65535), got '{Gateways[i]}'.";
            }
        }
        if (ConnectRetryDelayMs is < 50 or > 60_000)
            yield return $"{Section}:{nameof(ConnectRetryDelayMs)} must be 50–60000, got {ConnectRetryDelayMs}.";
        if (GatewayListRefreshMs is < 100 or > 600_000)
            yield return $"{Section}:{nameof(GatewayListRefreshMs)} must be 100–600000, got {GatewayListRefreshMs}.";
    }

    /// <summary>Parses <c>ip:port</c>, <c>[ipv6]:port</c> or <c>localhost:port</c> (→ 127.0.0.1).</summary>
    public static bool TryParseEndpoint(string? value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPEndPoint? endpoint)
    {
        endpoint = null;
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
            return false;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
            return false;
        var host = text[..colon];
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65_535)
            return false;
        IPAddress? address;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            address = IPAddress.Loopback;
        else if (host.StartsWith('[') && host.EndsWith(']'))
            address = IPAddress.TryParse(host.AsSpan(1, host.Length - 2), out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? v6 : null;
        else
            address = host.Count(static c => c == '.') == 3 && IPAddress.TryParse(host, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? v4 : null;
        if (address is null)
            return false;
        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
