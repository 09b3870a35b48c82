using Microsoft.Extensions.Hosting;

namespace Granary.Runtime.Diagnostics;

/// <summary>Creates the collector when the host starts, so measurements before the first scrape are counted.</summary>
internal sealed class PrometheusCollectorStarter(PrometheusCollector collector) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(collector);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
