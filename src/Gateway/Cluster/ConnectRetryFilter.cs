using Granary.Gateway.Diagnostics;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Cluster;

/// <summary>
/// The Orleans client's start-up retry policy on a gateway: retry every failed attempt to reach a silo
/// (no gateway listed yet, connection refused, PostgreSQL down, no manifest…) after
/// <see cref="GatewayClientOptions.ConnectRetryDelayMs"/>, for as long as the gateway runs (Orleans's own
/// default gives up after 15 tries). The first failure is logged as a warning naming the cause; later ones
/// at Debug, with a reminder every 60 attempts. Stops retrying only when the start is cancelled (shutdown).
/// </summary>
internal sealed class ConnectRetryFilter : IClientConnectionRetryFilter
{
    private const int ReminderEvery = 60;

    private readonly TimeProvider _time;
    private readonly ILogger<ConnectRetryFilter> _logger;
    private readonly TimeSpan _delay;
    private readonly string _target;
    private int _attempts;

    public ConnectRetryFilter(TimeProvider time, IOptions<GatewayClientOptions> options, ILogger<ConnectRetryFilter> logger, ClusterTarget target)
    {
        _time = time;
        _logger = logger;
        _delay = TimeSpan.FromMilliseconds(options.Value.ConnectRetryDelayMs);
        _target = target.Description;
    }

    /// <summary>Failed attempts so far.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <inheritdoc />
    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return false;
        var attempts = Interlocked.Increment(ref _attempts);
        var reason = Describe(exception);
        if (attempts == 1 || attempts % ReminderEvery == 0)
            Log.SiloNotReachable(_logger, _target, attempts, reason, (int)_delay.TotalMilliseconds);
        else
            Log.SiloConnectAttemptFailed(_logger, _target, attempts, reason);
        try
        {
            await Task.Delay(_delay, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        return true;
    }

    /// <summary>The exception's type and message, with its innermost cause (a refused socket, a TLS or database error).</summary>
    public static string Describe(Exception exception)
    {
        var inner = exception;
        while (inner.InnerException is { } next)
            inner = next;
        return ReferenceEquals(inner, exception)
            ? $"{exception.GetType().Name}: {exception.Message}"
            : $"{exception.GetType().Name}: {exception.Message} ({inner.GetType().Name}: {inner.Message})";
    }
}
