using Granary.Runtime.Transport;
using Microsoft.Extensions.Hosting;

namespace Granary.Runtime.Hosting;

/// <summary>
/// Connects the grain client when the host starts and closes it gracefully (queued frames flushed first)
/// when it stops. The start waits for the first connection attempts and fails with
/// <see cref="Messaging.ClusterAuthenticationException"/> when the silos refuse the cluster secret
/// (see <see cref="ClusterClient.StartAsync"/>).
/// </summary>
internal sealed class ClusterClientHostedService(ClusterClient client) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => client.StartAsync(cancellationToken);

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
