namespace Granary.Grains.Contracts;

/// <summary>What a gateway needs to balance over a destination; returned by every <see cref="IBackendGrain"/> call.</summary>
/// <param name="Configured">False when the grain has no <see cref="BackendConfig"/> (fresh activation): the gateway should send one.</param>
/// <param name="Healthy">True when the destination may be chosen: active health up and not ejected.</param>
/// <param name="ActiveHealthy">Result of the active probe state machine (true when probing is off).</param>
/// <param name="Ejected">True while passively ejected (outlier detection).</param>
/// <param name="TotalInFlight">Sum of every gateway's unexpired in-flight contribution.</param>
/// <param name="EwmaLatencyMs">Exponentially weighted moving average of latency, ms (0 before the first sample).</param>
/// <param name="Weight">Configured weight.</param>
/// <param name="Requests">Requests reported since activation.</param>
/// <param name="Failures">Failed requests (5xx, connect failure, timeout) reported since activation.</param>
[GenerateSerializer, Immutable, Alias("granary.BackendStatus")]
public readonly record struct BackendStatus(
    [property: Id(0)] bool Configured,
    [property: Id(1)] bool Healthy,
    [property: Id(2)] bool ActiveHealthy,
    [property: Id(3)] bool Ejected,
    [property: Id(4)] long TotalInFlight,
    [property: Id(5)] double EwmaLatencyMs,
    [property: Id(6)] int Weight,
    [property: Id(7)] long Requests,
    [property: Id(8)] long Failures);
