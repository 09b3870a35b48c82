using Granary.Runtime.Serialization;

namespace Granary.Runtime.Invocation;

/// <summary>
/// Sends grain calls. The client side implements it over the network (to the owning silo);
/// the silo implements it locally for calls made inside the silo (admin API, dashboard).
/// Grain references call it; application code uses <see cref="IGrainFactory"/> instead.
/// </summary>
public interface IGrainCallInvoker
{
    /// <summary>
    /// Calls method <paramref name="methodId"/> of grain <paramref name="grainId"/> and waits for its result.
    /// </summary>
    /// <returns>The decoded result.</returns>
    /// <exception cref="GrainCallException">The grain threw, or the silo rejected the call (the message says which).</exception>
    /// <exception cref="TimeoutException">No answer within the per-call deadline (<c>Granary:Client:CallTimeoutMs</c>, default 2000 ms).</exception>
    /// <exception cref="SiloUnavailableException">No silo could be reached.</exception>
    ValueTask<TResult> InvokeAsync<TRequest, TResult>(GrainId grainId, ushort methodId, TRequest request, CancellationToken cancellationToken = default)
        where TRequest : IGrainCodec<TRequest>
        where TResult : IGrainCodec<TResult>;

    /// <summary>
    /// Sends a one-way call: no result, no completion, no error reported to the caller
    /// (failures are counted in metrics). Never blocks.
    /// </summary>
    void InvokeOneWay<TRequest>(GrainId grainId, ushort methodId, TRequest request)
        where TRequest : IGrainCodec<TRequest>;
}
