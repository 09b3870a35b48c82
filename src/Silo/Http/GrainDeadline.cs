using Granary.Runtime.Hosting;
using Microsoft.Extensions.Options;

namespace Granary.Silo.Http;

/// <summary>Applies the silo's local call deadline (<see cref="SiloOptions.LocalCallTimeoutMs"/>) to grain calls made by HTTP handlers.</summary>
internal sealed class GrainDeadline(IOptions<SiloOptions> options)
{
    public TimeSpan Timeout { get; } = TimeSpan.FromMilliseconds(options.Value.LocalCallTimeoutMs);

    public Task<T> Run<T>(ValueTask<T> call, CancellationToken cancellationToken) => call.AsTask().WaitAsync(Timeout, cancellationToken);

    public Task Run(ValueTask call, CancellationToken cancellationToken) => call.AsTask().WaitAsync(Timeout, cancellationToken);

    /// <summary>A short, safe description of a failed grain call for a JSON <c>error</c> field.</summary>
    public static string Describe(Exception e) => e switch
    {
        TimeoutException => "The grain did not answer within the local call deadline",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
