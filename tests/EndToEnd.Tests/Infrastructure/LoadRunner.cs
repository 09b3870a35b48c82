using System.Collections.Concurrent;
using System.Diagnostics;

namespace Granary.EndToEnd.Tests.Infrastructure;

/// <summary>What a bounded load run saw.</summary>
internal sealed class LoadResult
{
    public ConcurrentDictionary<int, int> ByStatus { get; } = new();
    public ConcurrentDictionary<string, int> ByBackend { get; } = new();
    public ConcurrentQueue<string> Errors { get; } = new();
    public int Total => ByStatus.Values.Sum();
    public int Count(int status) => ByStatus.GetValueOrDefault(status);
    public int ServerErrors => ByStatus.Where(kv => kv.Key >= 500).Sum(kv => kv.Value);
    public double Share(string backend) => Total == 0 ? 0 : (double)ByBackend.GetValueOrDefault(backend) / Count(200);
    public override string ToString() =>
        $"status: {string.Join(", ", ByStatus.OrderBy(k => k.Key).Select(k => $"{k.Key}×{k.Value}"))}; " +
        $"backends: {string.Join(", ", ByBackend.OrderBy(k => k.Key).Select(k => $"{k.Key}×{k.Value}"))}; " +
        $"errors: {string.Join(" | ", Errors.Take(5))}";
}

/// <summary>Sends GETs from several workers, round-robin over the given gateways, bounded by count and by time.</summary>
internal static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(HttpClient http, IReadOnlyList<string> gatewayUrls, int workers, int maxRequests, TimeSpan maxDuration,
        string? clientId = null, string path = "/", LoadResult? into = null, CancellationToken stop = default)
    {
        var result = into ?? new LoadResult();
        var sent = 0;
        var sw = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, workers).Select(async w =>
        {
            while (!stop.IsCancellationRequested && sw.Elapsed < maxDuration)
            {
                var n = Interlocked.Increment(ref sent);
                if (n > maxRequests)
                    return;
                var url = gatewayUrls[n % gatewayUrls.Count] + path;
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                if (clientId is not null)
                    request.Headers.Add("X-Client-ID", clientId);
                try
                {
                    using var response = await http.SendAsync(request);
                    result.ByStatus.AddOrUpdate((int)response.StatusCode, 1, (_, c) => c + 1);
                    if (response.Headers.TryGetValues("X-Backend-Id", out var ids))
                        result.ByBackend.AddOrUpdate(ids.First(), 1, (_, c) => c + 1);
                    if ((int)response.StatusCode >= 500)
                        result.Errors.Enqueue($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
                catch (HttpRequestException e)
                {
                    result.ByStatus.AddOrUpdate(-1, 1, (_, c) => c + 1);
                    result.Errors.Enqueue(e.Message);
                }
            }
        });
        await Task.WhenAll(tasks);
        return result;
    }
}
