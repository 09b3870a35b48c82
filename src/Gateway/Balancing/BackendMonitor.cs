using Granary.Gateway.Cluster;
using Granary.Gateway.Configuration;
using Granary.Gateway.Diagnostics;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;

namespace Granary.Gateway.Balancing;

/// <summary>
/// The background side of balancing. At start and whenever a cluster's balancer is (re)created it
/// sends <c>ConfigureAsync</c> for every destination; every <see cref="GatewayOptions.RenewIntervalMs"/>
/// it renews this gateway's in-flight lease on every backend grain with the absolute local count
/// (all destinations in parallel), which also refreshes health and the other gateways' counts in the
/// cache, and re-configures any grain that answered <c>Configured = false</c>. On stop (after Kestrel
/// has drained the requests, since the server stops first) it sends the final counts. While the cluster client
/// is not connected a pass sends nothing (and claims no configuration): the first pass after the connection
/// (which starts at once) configures every destination that needs it and renews the others.
/// </summary>
internal sealed class BackendMonitor : BackgroundService
{
    private readonly IProxyStateLookup _proxyState;
    private readonly ClusterBalancerRegistry _registry;
    private readonly BackendReporter _reporter;
    private readonly ClusterConnectionState _connection;
    private readonly TimeProvider _time;
    private readonly ILogger<BackendMonitor> _logger;
    private readonly TimeSpan _interval;
    private readonly GatewayOptions _options;
    private readonly List<Task> _calls = [];
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public BackendMonitor(IProxyStateLookup proxyState, ClusterBalancerRegistry registry, BackendReporter reporter, ClusterConnectionState connection,
        TimeProvider time, IOptions<GatewayOptions> options, ILogger<BackendMonitor> logger)
    {
        _proxyState = proxyState;
        _registry = registry;
        _reporter = reporter;
        _connection = connection;
        _time = time;
        _logger = logger;
        _options = options.Value;
        _interval = TimeSpan.FromMilliseconds(_options.RenewIntervalMs);
        _registry.BalancerCreated += _ => _wake.TrySetResult();
    }

    /// <summary>One pass: configure new clusters and unconfigured grains, renew every other lease; all calls in parallel.</summary>
    public async Task RunOnceAsync()
    {
        _calls.Clear();
        var connected = _connection.IsConnected;
        foreach (var cluster in _proxyState.GetClusters())
        {
            ClusterBalancer balancer;
            try
            {
                balancer = _registry.GetOrCreate(cluster);
            }
            catch (GatewayConfigurationException ex)
            {
                Log.BalancerFailed(_logger, cluster.ClusterId, ex.Message);
                continue;
            }
            if (!connected)
                continue;
            var configureAll = balancer.TryClaimConfigure();
            foreach (var slot in balancer.Slots)
                _calls.Add(configureAll || slot.Entry.NeedsConfigure ? _reporter.ConfigureAsync(slot) : _reporter.RenewAsync(slot));
        }
        await Task.WhenAll(_calls).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Log.MonitorStarted(_logger, _reporter.GatewayId, _proxyState.GetClusters().Count(), _options.InFlightLeaseMs, _options.RenewIntervalMs);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = Volatile.Read(ref _wake);
            var connectionChanged = _connection.Changed;
            await RunOnceAsync().ConfigureAwait(false);
            try
            {
                // A new balancer or a change of the connection starts the next pass at once (the first pass after connecting configures).
                await Task.WhenAny(Task.Delay(_interval, _time, stoppingToken), wake.Task, connectionChanged).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (wake.Task.IsCompleted)
                Interlocked.CompareExchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), wake);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        // Kestrel stopped first and drained the requests: send the final (normally 0) counts so no lease lingers.
        if (!_connection.IsConnected)
        {
            Log.FinalReportsFailed(_logger, _reporter.GatewayId, "the cluster client is not connected");
            return;
        }
        var final = new List<Task>();
        foreach (var balancer in _registry.Balancers)
        {
            foreach (var slot in balancer.Slots)
                final.Add(_reporter.RenewAsync(slot));
        }
        try
        {
            await Task.WhenAll(final).WaitAsync(TimeSpan.FromSeconds(3), _time, cancellationToken).ConfigureAwait(false);
            Log.FinalReportsSent(_logger, _reporter.GatewayId, final.Count);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            Log.FinalReportsFailed(_logger, _reporter.GatewayId, ex.Message);
        }
    }
}
