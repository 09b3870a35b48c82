using System.Diagnostics;
using System.Net;
using Granary.Samples.Imaging;

namespace Granary.Samples.DemoClient;

/// <summary>
/// Fetches every tile of the image concurrently (at most <see cref="DemoClientOptions.Concurrency"/> in flight),
/// alternating gateways by tile index, and stitches them. A 429 is retried after its <c>Retry-After</c>
/// (on the next gateway) and a connection failure at once on the next gateway, up to
/// <see cref="DemoClientOptions.MaxTries"/> tries in all; other failures (timeouts, 5xx, bad PNGs) are
/// recorded and leave the tile grey.
/// </summary>
public sealed class TileFetcher
{
    /// <summary>Header that names the backend that served a response.</summary>
    public const string BackendIdHeader = "X-Backend-Id";

    /// <summary>Header that names the client for rate limiting.</summary>
    public const string ClientIdHeader = "X-Client-ID";

    private static readonly TimeSpan MaxRetryWait = TimeSpan.FromSeconds(30);
    private readonly DemoClientOptions _options;
    private readonly HttpClient _http;

    /// <summary>Creates a fetcher that sends with <paramref name="http"/> (its timeout is not used; the options' is).</summary>
    public TileFetcher(DemoClientOptions options, HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        _options = options;
        _http = http;
    }

    /// <summary>The statistics of the run so far.</summary>
    public RunStatistics Statistics { get; } = new();

    /// <summary>An HTTP client suited to the run: pooled connections, enough per server for the concurrency.</summary>
    public static HttpClient CreateHttpClient(DemoClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(2, options.Concurrency),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Renders the image; <paramref name="onTileDone"/> is called once per tile (from any thread).</summary>
    public async Task<RgbImage> RenderAsync(Action? onTileDone, CancellationToken cancellationToken)
    {
        var jobs = TileJob.Plan(_options);
        var image = new RgbImage(_options.Width, _options.Height);
        await Parallel.ForEachAsync(
            jobs,
            new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = cancellationToken },
            async (job, ct) =>
            {
                var tile = await FetchTileAsync(job, ct).ConfigureAwait(false);
                if (tile is null)
                {
                    image.Fill(job.PixelX, job.PixelY, job.Width, job.Height, 96, 96, 96);
                }
                else
                {
                    // Tiles never overlap, so concurrent blits touch disjoint bytes.
                    image.Blit(tile, job.PixelX, job.PixelY);
                }

                onTileDone?.Invoke();
            }).ConfigureAwait(false);
        return image;
    }

    private async Task<RgbImage?> FetchTileAsync(TileJob job, CancellationToken cancellationToken)
    {
        var gateways = _options.Gateways;
        var relative = job.ToRelativeUri(_options.Iterations);
        for (var attempt = 1; ; attempt++)
        {
            var gateway = gateways[(job.Index + attempt - 1) % gateways.Count];
            var gatewayName = gateway.GetLeftPart(UriPartial.Authority);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway, relative));
            request.Headers.TryAddWithoutValidation(ClientIdHeader, _options.ClientId);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.Timeout);
            var started = Stopwatch.GetTimestamp();
            HttpResponseMessage response;
            byte[] body;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                var reason = e is OperationCanceledException ? $"timeout after {_options.Timeout.TotalSeconds:0} s" : e.Message;
                Statistics.RecordTransportFailure(gatewayName, $"tile {job.Index} via {gatewayName}: {reason}");
                if (e is HttpRequestException && gateways.Count > 1 && attempt < _options.MaxTries)
                {
                    continue; // this gateway is unreachable: try the next one
                }

                Statistics.RecordFailedTile($"tile {job.Index}: gave up after a transport failure");
                return null;
            }

            using (response)
            {
                var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var backend = response.Headers.TryGetValues(BackendIdHeader, out var values) ? values.FirstOrDefault() : null;
                var status = (int)response.StatusCode;
                Statistics.RecordResponse(gatewayName, backend, status, elapsedMs);

                if (status == 429)
                {
                    if (attempt >= _options.MaxTries)
                    {
                        Statistics.RecordFailedTile($"tile {job.Index}: still rate limited (429) after {attempt} tries");
                        return null;
                    }

                    await Task.Delay(RetryDelay(response), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (status != 200)
                {
                    var text = System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200));
                    Statistics.RecordFailedTile($"tile {job.Index} via {gatewayName} (backend {backend ?? "?"}): HTTP {status} {text}");
                    return null;
                }

                try
                {
                    var tile = Png.Decode(body);
                    if (tile.Width != job.Width || tile.Height != job.Height)
                    {
                        Statistics.RecordFailedTile($"tile {job.Index}: got {tile.Width}x{tile.Height}, expected {job.Width}x{job.Height}");
                        return null;
                    }

                    return tile;
                }
                catch (PngFormatException e)
                {
                    Statistics.RecordFailedTile($"tile {job.Index} via {gatewayName} (backend {backend ?? "?"}): bad PNG: {e.Message}");
                    return null;
                }
            }
        }
    }

    private static TimeSpan RetryDelay(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        var wait = retryAfter?.Delta
            ?? (retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : TimeSpan.FromSeconds(1));
        if (wait < TimeSpan.Zero)
        {
            wait = TimeSpan.Zero;
        }

        // Spread retries a little so that tiles rejected together do not all come back in the same instant.
        wait += TimeSpan.FromMilliseconds(Random.Shared.Next(0, 250));
        return wait < MaxRetryWait ? wait : MaxRetryWait;
    }
}
