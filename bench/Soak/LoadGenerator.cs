using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

namespace Granary.Bench.Soak;

/// <summary>
/// Steady paced load through the gateways: <c>workers</c> loops, each sending one GET every
/// 1/<c>ratePerWorker</c> s (a closed loop: a slow answer delays that worker's next request, so load
/// never piles up), each request with a deadline. Models a front with health checks: a request whose
/// connection is refused (that gateway is down) goes to the next gateway and counts as rerouted; nothing
/// else is retried.
/// </summary>
internal sealed class LoadGenerator(IReadOnlyList<string> gateways, IReadOnlyList<string> clients, int workers, double ratePerWorker, TimeSpan deadline, long maxRequests)
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1), ConnectTimeout = TimeSpan.FromSeconds(3) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private readonly ConcurrentDictionary<string, ConcurrentBag<long>> _hardKills = new();
    private long _sent;

    public Tally Tally { get; } = new();

    /// <summary>Records that gateway <paramref name="url"/> got SIGKILL now: resets of its requests in flight then are explained.</summary>
    public void GatewayKilled(string url) => _hardKills.GetOrAdd(url, _ => []).Add(Stopwatch.GetTimestamp());

    public async Task RunAsync(CancellationToken stop)
    {
        var interval = TimeSpan.FromSeconds(1 / ratePerWorker);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async w =>
        {
            var clock = Stopwatch.StartNew();
            var next = TimeSpan.FromMilliseconds(w * interval.TotalMilliseconds / workers);
            for (var n = w; !stop.IsCancellationRequested; n += workers)
            {
                var wait = next - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    try { await Task.Delay(wait, stop); } catch (OperationCanceledException) { return; }
                }
                next += interval;
                if (Interlocked.Increment(ref _sent) > maxRequests)
                    return;
                await SendOneAsync(n);
            }
        }));
    }

    private async Task SendOneAsync(int n)
    {
        var client = clients[n % clients.Count];
        for (var attempt = 0; attempt < gateways.Count; attempt++)
        {
            var gateway = gateways[(n + attempt) % gateways.Count];
            var url = $"{gateway}/soak/{n}";
            var started = Stopwatch.GetTimestamp();
            using var cts = new CancellationTokenSource(deadline);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Add("X-Client-ID", client);
            try
            {
                using var response = await _http.SendAsync(request, cts.Token);
                var status = (int)response.StatusCode;
                var body = await response.Content.ReadAsByteArrayAsync(cts.Token);
                if (status == 200)
                {
                    Tally.Add("200");
                    Tally.Ok(client);
                }
                else if (status == 429)
                    Tally.Add("429");
                else if (IsJsonError(response.Content.Headers.ContentType, body))
                {
                    Tally.Add("json-error", $"{status} {Short(body)} via {gateway}");
                    Tally.JsonError(status);
                }
                else
                    Tally.Add("non-json", $"{status} {Short(body)} via {gateway}");
                return;
            }
            catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                Tally.Add("rerouted");
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                Tally.Add("timeout", $"no answer within {deadline.TotalSeconds:0} s via {gateway}");
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                var explained = _hardKills.TryGetValue(gateway, out var kills) && kills.Any(k => k >= started - Stopwatch.Frequency / 10);
                Tally.Add(explained ? "reset-killed-gw" : "reset", $"{e.GetType().Name}: {e.Message}{(e.InnerException is { } i ? " / " + i.Message : "")} via {gateway}");
                return;
            }
        }
        Tally.Add("refused", "every gateway refused the connection");
    }

    /// <summary>A gateway error: Content-Type application/json and a body <c>{"code":..,"message":..}</c>.</summary>
    private static bool IsJsonError(MediaTypeHeaderValue? type, byte[] body)
    {
        if (type?.MediaType != "application/json")
            return false;
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("code", out _) && doc.RootElement.TryGetProperty("message", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Short(byte[] body)
    {
        var s = System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 160)).ReplaceLineEndings(" ");
        return s.Length == 0 ? "(empty body)" : s;
    }
}
