using Granary.Gateway.Diagnostics;
using Granary.Hosting.Tls;
using Microsoft.Extensions.Options;
using Orleans.Messaging;

namespace Granary.Gateway.Cluster;

/// <summary>
/// The Orleans client's start-up retry policy on a gateway: retry every failed attempt to reach a silo
/// (no gateway listed yet, connection refused, PostgreSQL down, no manifest…) after
/// <see cref="GatewayClientOptions.ConnectRetryDelayMs"/>, for as long as the gateway runs (Orleans's own
/// default gives up after 15 tries). The first failure is logged as a warning naming the cause; later ones
/// at Debug, with a reminder every 60 attempts. Stops retrying when the start is cancelled (shutdown), and when the
/// TLS handshake failed (<see cref="IsTlsRefusal"/>), or, with TLS on, when from the second failure on a
/// <see cref="TlsProbe"/> of the listed silo gateways finds them refusing this gateway's certificate and none
/// accepting it (recorded in <see cref="TlsRefusal"/>): certificates do not fix themselves, so the gateway stops at
/// start-up instead (<see cref="ClusterConnector"/>).
/// </summary>
internal sealed class ConnectRetryFilter : IClientConnectionRetryFilter
{
    private const int ReminderEvery = 60;

    private readonly TimeProvider _time;
    private readonly ILogger<ConnectRetryFilter> _logger;
    private readonly TimeSpan _delay;
    private readonly string _target;
    private readonly ClusterTls? _tls;
    private readonly IGatewayListProvider? _gateways;
    private readonly TlsRefusal _refusal;
    private int _attempts;

    public ConnectRetryFilter(TimeProvider time, IOptions<GatewayClientOptions> options, ILogger<ConnectRetryFilter> logger, ClusterTarget target,
        TlsRefusal refusal, IServiceProvider services)
    {
        _refusal = refusal;
        _tls = services.GetService<ClusterTls>();
        _gateways = services.GetService<IGatewayListProvider>();
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
        if (IsTlsRefusal(exception))
        {
            _refusal.Refuse(Describe(exception));
            return false;
        }
        var attempts = Interlocked.Increment(ref _attempts);
        if (attempts >= 2 && _tls is not null && await ProbeRefusedAsync(_tls, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            _refusal.Refuse(refused);
            return false;
        }
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

    /// <summary>The reason when every silo gateway that answered refused this gateway's TLS certificate (at least one did); else null.</summary>
    private async Task<string?> ProbeRefusedAsync(ClusterTls tls, CancellationToken cancellationToken)
    {
        if (_gateways is null)
            return null;
        IList<Uri> listed;
        try
        {
            listed = await _gateways.GetGateways().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null; // the list itself is unavailable (PostgreSQL down): nothing to conclude
        }
        string? refused = null;
        foreach (var uri in listed.Take(3))
        {
            if (uri.ToIPEndPoint() is not { } endpoint)
                continue;
            var (verdict, reason) = await TlsProbe.ProbeAsync(endpoint, tls, cancellationToken).ConfigureAwait(false);
            if (verdict == TlsProbe.Verdict.Accepted)
                return null;
            if (verdict == TlsProbe.Verdict.Refused)
                refused ??= reason;
        }
        return refused;
    }

    /// <summary>
    /// True when <paramref name="exception"/> or one of its causes is a TLS handshake failure
    /// (<see cref="System.Security.Authentication.AuthenticationException"/>): the silo refused this gateway's certificate,
    /// or this gateway refused the silo's (not from the configured CA).
    /// </summary>
    public static bool IsTlsRefusal(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is System.Security.Authentication.AuthenticationException)
                return true;
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsTlsRefusal))
                return true;
        }
        return false;
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
