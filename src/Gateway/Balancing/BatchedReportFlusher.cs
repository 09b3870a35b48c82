using Granary.Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Balancing;

/// <summary>
/// Batched clusters (<c>Granary.Mode: Batched</c>): every <see cref="GatewayOptions.BatchIntervalMs"/>
/// sends each destination that changed its absolute local in-flight count and the requests that
/// finished since the last batch (<see cref="BackendReporter.FlushBatch"/>), instead of two grain calls
/// per request. The other gateways' counts this gateway balances with are then at most one interval
/// plus one grain round trip old; its own count is always exact. At stop the last batches are sent
/// (after Kestrel drained the requests), before the lease renewal's final counts.
/// </summary>
internal sealed class BatchedReportFlusher(ClusterBalancerRegistry registry, BackendReporter reporter, TimeProvider time, IOptions<GatewayOptions> options)
    : BackgroundService
{
    private readonly TimeSpan _interval = TimeSpan.FromMilliseconds(options.Value.BatchIntervalMs);

    /// <summary>One pass over every batched cluster.</summary>
    public void FlushOnce()
    {
        foreach (var balancer in registry.Balancers)
        {
            if (!balancer.Settings.Batched)
                continue;
            foreach (var slot in balancer.Slots)
                reporter.FlushBatch(slot.Entry);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                FlushOnce();
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        FlushOnce();
    }
}
