using Granary.Gateway.Balancing;
using Granary.Gateway.Diagnostics;
using Granary.Grains.Contracts;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Cluster;

/// <summary>
/// Starts the gateway's Orleans client in the background, so the gateway serves (with local decisions) while no
/// silo is up. Orleans registers its client as a hosted service whose start blocks until a silo answers; the
/// gateway removes that registration (<see cref="GatewayOrleansClient"/>) and this service starts the client
/// instead, retrying through <see cref="ConnectRetryFilter"/> until a silo answers or the gateway stops. When the
/// start completes it marks <see cref="ClusterConnectionState"/> started. Orleans reconnects to a silo only when
/// a message is sent, and the gateway sends none while disconnected, so after the connection to every silo was
/// lost this service probes every <see cref="GatewayClientOptions.ConnectRetryDelayMs"/> with one read-only call
/// (this gateway's <see cref="IGatewayGrain.GetStatsAsync"/>) until a connection is open again.
/// Registered before the services that call grains, so it stops after them: their final reports still go out,
/// then the client stops.
/// </summary>
internal sealed class ClusterConnector : BackgroundService
{
    private readonly IClusterClient _client;
    private readonly IHostedService _lifecycle;
    private readonly ClusterConnectionState _state;
    private readonly TimeProvider _time;
    private readonly ILogger<ClusterConnector> _logger;
    private readonly TimeSpan _retryDelay;
    private readonly string _gatewayId;
    private readonly IHostApplicationLifetime _lifetime;
    private int _startAttempted;

    /// <summary>The gateway's exit code when a TLS handshake with the silos failed at start-up: 3.</summary>
    public const int TlsRefusedExitCode = 3;

    private readonly TlsRefusal _refusal;

    public ClusterConnector(IClusterClient client, ClusterConnectionState state, GatewayIdentity identity, TimeProvider time,
        IOptions<GatewayClientOptions> options, ILogger<ClusterConnector> logger, IHostApplicationLifetime lifetime, TlsRefusal refusal)
    {
        _lifetime = lifetime;
        _refusal = refusal;
        _client = client;
        _lifecycle = client as IHostedService
            ?? throw new InvalidOperationException($"The cluster client ({client.GetType().FullName}) is not a hosted service; the gateway cannot start it.");
        _state = state;
        _time = time;
        _logger = logger;
        _gatewayId = identity.Id;
        _retryDelay = TimeSpan.FromMilliseconds(options.Value.ConnectRetryDelayMs);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the host's start-up path: StartAsync of the host returns while the client is still looking for a silo.
        await Task.Yield();
        if (!await StartClientAsync(stoppingToken).ConfigureAwait(false))
            return;
        _state.MarkStarted();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (_state.IsConnected)
                    await _state.WaitForChangeAsync(stoppingToken).ConfigureAwait(false);
                else
                    await ProbeAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Starts the Orleans client (its retry filter retries every failure); false when the gateway stopped first.</summary>
    private async Task<bool> StartClientAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Volatile.Write(ref _startAttempted, 1);
            try
            {
                await _lifecycle.StartAsync(stoppingToken).ConfigureAwait(false);
                return true;
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception ex) when (_refusal.Reason is not null || ConnectRetryFilter.IsTlsRefusal(ex))
            {
                // The TLS handshake failed: no grain call can run, and retrying will not fix a certificate. Stop the gateway.
                Log.TlsRefused(_logger, _refusal.Reason ?? ConnectRetryFilter.Describe(ex));
                Environment.ExitCode = TlsRefusedExitCode;
                _lifetime.StopApplication();
                return false;
            }
            catch (Exception ex)
            {
                // Not a connection failure (those are retried inside the start): a lifecycle stage failed. Try again later.
                Log.ClientStartFailed(_logger, ex, (int)_retryDelay.TotalMilliseconds);
                try
                {
                    await Task.Delay(_retryDelay, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }
        }
        return false;
    }

    /// <summary>One reconnection probe after the retry delay: any message makes Orleans open a connection to a live gateway silo.</summary>
    private async Task ProbeAsync(CancellationToken stoppingToken)
    {
        await Task.Delay(_retryDelay, _time, stoppingToken).ConfigureAwait(false);
        if (_state.IsConnected)
            return;
        try
        {
            await _client.GetGrain<IGatewayGrain>(_gatewayId).GetStatsAsync().AsTask().WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            Log.ReconnectProbeFailed(_logger, ConnectRetryFilter.Describe(ex));
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        _state.MarkStopped();
        if (Volatile.Read(ref _startAttempted) == 0)
            return;
        try
        {
            await _lifecycle.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ClientStopFailed(_logger, ConnectRetryFilter.Describe(ex));
        }
    }
}
