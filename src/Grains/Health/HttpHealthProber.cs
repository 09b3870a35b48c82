using System.Net;
using System.Net.Sockets;

namespace Granary.Grains.Health;

/// <summary>
/// <see cref="IHealthProber"/> over <see cref="HttpClient"/>: GET the URI; 2xx and 3xx are healthy
/// (redirects are not followed); any other status fails with <c>"HTTP nnn"</c>; a refused
/// connection fails with <c>"connection refused"</c>, a probe slower than its timeout with
/// <c>"timeout after N ms"</c>, other transport errors with their message.
/// </summary>
public sealed class HttpHealthProber : IHealthProber, IDisposable
{
    private readonly HttpClient _httpClient;
    private readonly bool _ownsClient;

    /// <summary>Creates a prober with its own client: no proxy, no redirects, no cookies, 2 s connect timeout.</summary>
    public HttpHealthProber() : this(new HttpClient(CreateHandler()) { Timeout = Timeout.InfiniteTimeSpan }, ownsClient: true) { }

    /// <summary>Creates a prober over the given client (not disposed by the prober). Its own timeout should be infinite: the probe timeout applies.</summary>
    public HttpHealthProber(HttpClient httpClient) : this(httpClient, ownsClient: false) { }

    private HttpHealthProber(HttpClient httpClient, bool ownsClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _httpClient = httpClient;
        _ownsClient = ownsClient;
    }

    /// <summary>The handler of the default client: no proxy, no redirects, no cookies, 2 s connect timeout, connections recycled every 5 min.</summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(2),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    /// <inheritdoc />
    public async Task<ProbeResult> ProbeAsync(Uri uri, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return status is >= 200 and < 400 ? ProbeResult.Healthy($"HTTP {status}") : ProbeResult.Unhealthy($"HTTP {status}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Unhealthy($"timeout after {(long)timeout.TotalMilliseconds} ms");
        }
        catch (HttpRequestException e)
        {
            return ProbeResult.Unhealthy(Describe(e));
        }
    }

    /// <summary>Disposes the client when the prober created it.</summary>
    public void Dispose()
    {
        if (_ownsClient)
            _httpClient.Dispose();
    }

    private static string Describe(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    SocketError.ConnectionReset => "connection reset",
                    SocketError.HostNotFound or SocketError.NoData => "host not found",
                    SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
                    SocketError.TimedOut => "connect timeout",
                    var code => $"socket error {code}",
                };
            }
        }
        return e.HttpRequestError switch
        {
            HttpRequestError.ConnectionError => "connection failed",
            HttpRequestError.ResponseEnded => "connection closed before a response",
            HttpRequestError.InvalidResponse => "invalid HTTP response",
            HttpRequestError.NameResolutionError => "host not found",
            _ => e.StatusCode is HttpStatusCode code ? $"HTTP {(int)code}" : e.Message,
        };
    }
}
