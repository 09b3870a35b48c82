using Granary.Runtime.Transport;
using Microsoft.Extensions.Hosting;

namespace Granary.Runtime.Hosting;

/// <summary>Connects the grain client when the host starts and closes it gracefully (queued frames flushed first) when it stops.</summary>
internal sealed class ClusterClientHostedService(ClusterClient client) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        client.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await client.DisposeAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout passed; the sockets close with the process.
        }
    }
}
