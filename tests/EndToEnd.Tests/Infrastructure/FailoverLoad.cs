using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;

namespace Granary.EndToEnd.Tests.Infrastructure;

/// <summary>Every response of a <see cref="FailoverLoad"/> run, by kind.</summary>
internal sealed class FailoverLoadResult
{
    private long _ok;
    private long _limited;
    private long _jsonErrors;
    private long _nonJsonErrors;
    private long _resets;
    private long _timeouts;
    private long _rerouted;

    public long Ok => Interlocked.Read(ref _ok);
    public long Limited => Interlocked.Read(ref _limited);
    public long JsonErrors => Interlocked.Read(ref _jsonErrors);
    public long NonJsonErrors => Interlocked.Read(ref _nonJsonErrors);
    public long Resets => Interlocked.Read(ref _resets);
    public long Timeouts => Interlocked.Read(ref _timeouts);

    /// <summary>Requests refused at connect by one gateway (it was down) and sent to the other, as an L4 balancer with health checks would.</summary>
    public long Rerouted => Interlocked.Read(ref _rerouted);

    /// <summary>Anything but 200 and 429: JSON or other errors, resets, timeouts.</summary>
    public long Failed => JsonErrors + NonJsonErrors + Resets + Timeouts;
    public long Total => Ok + Limited + Failed;
    public ConcurrentQueue<string> Examples { get; } = new();
    public ConcurrentDictionary<string, long> OkByClient { get; } = new();

    internal void Add(string kind, string? example = null)
    {
        switch (kind)
        {
            case "200": Interlocked.Increment(ref _ok); break;
            case "429": Interlocked.Increment(ref _limited); break;
            case "json": Interlocked.Increment(ref _jsonErrors); break;
            case "nonjson": Interlocked.Increment(ref _nonJsonErrors); break;
            case "reset": Interlocked.Increment(ref _resets); break;
            case "timeout": Interlocked.Increment(ref _timeouts); break;
            case "rerouted": Interlocked.Increment(ref _rerouted); break;
        }
        if (example is not null && Examples.Count < 20)
            Examples.Enqueue(example);
    }

    /// <summary>The counters now, to subtract from a later snapshot.</summary>
    public (long Ok, long Limited, long Failed, long Rerouted) Snapshot() => (Ok, Limited, Failed, Rerouted);

    public override string ToString() =>
        $"200×{Ok}, 429×{Limited}, json-error×{JsonErrors}, non-json×{NonJsonErrors}, reset×{Resets}, timeout×{Timeouts} (rerouted at connect: {Rerouted}); " +
        $"examples: {string.Join(" | ", Examples.Take(5))}";
}

/// <summary>
/// Steady load through several gateways that models a front with health checks: a request whose
/// connection is refused (that gateway is down) goes to the next gateway; nothing else is retried,
/// so a reset, a timeout or an error status after the request reached a gateway counts as failed.
/// Each worker paces itself to <c>ratePerWorker</c> requests/s.
/// </summary>
internal static class FailoverLoad
{
    public static async Task RunAsync(HttpClient http, Func<IReadOnlyList<string>> gatewayUrls, IReadOnlyList<string> clientIds, int workers, double ratePerWorker,
        FailoverLoadResult result, CancellationToken stop)
    {
        var interval = TimeSpan.FromSeconds(1 / ratePerWorker);
        var tasks = Enumerable.Range(0, workers).Select(async w =>
        {
            var n = w;
            var clock = Stopwatch.StartNew();
            var next = TimeSpan.Zero;
            while (!stop.IsCancellationRequested)
            {
                next += interval;
                var wait = next - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    try { await Task.Delay(wait, stop); } catch (OperationCanceledException) { return; }
                }
                var client = clientIds[n % clientIds.Count];
                await SendOneAsync(http, gatewayUrls(), n++, client, result);
            }
        });
        await Task.WhenAll(tasks);
    }

    private static async Task SendOneAsync(HttpClient http, IReadOnlyList<string> gateways, int n, string clientId, FailoverLoadResult result)
    {
        for (var attempt = 0; attempt < gateways.Count; attempt++)
        {
            var url = gateways[(n + attempt) % gateways.Count] + "/rolling";
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Add("X-Client-ID", clientId);
            try
            {
                using var response = await http.SendAsync(request);
                var status = (int)response.StatusCode;
                if (status is 200 or 429)
                {
                    result.Add(status.ToString());
                    if (status == 200)
                        result.OkByClient.AddOrUpdate(clientId, 1, (_, c) => c + 1);
                    return;
                }
                var body = await response.Content.ReadAsStringAsync();
                var json = response.Content.Headers.ContentType?.MediaType == "application/json" && body.Contains("\"code\"");
                result.Add(json ? "json" : "nonjson", $"{status} {body} via {url}");
                return;
            }
            catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                result.Add("rerouted");
            }
            catch (HttpRequestException e)
            {
                result.Add("reset", $"{e.Message} via {url}");
                return;
            }
            catch (TaskCanceledException)
            {
                result.Add("timeout", $"timeout via {url}");
                return;
            }
        }
        result.Add("reset", "every gateway refused the connection");
    }
}
