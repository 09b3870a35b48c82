namespace Granary.Grains.Contracts;

/// <summary>
/// A destination's settings as the gateways' YARP config gives them (argument of
/// <see cref="IBackendGrain.ConfigureAsync"/>). Defaults follow HAProxy (<c>inter 2s rise 2 fall 3</c>)
/// and Envoy outlier detection (<c>consecutive_5xx 5</c>, <c>base_ejection_time 30s</c>).
/// </summary>
/// <param name="ClusterId">YARP cluster id.</param>
/// <param name="DestinationId">YARP destination id.</param>
/// <param name="Address">Destination base address, e.g. <c>http://127.0.0.1:5001/</c>.</param>
/// <param name="Weight">Relative weight for weighted round robin and consistent hashing, 1–1000; default 1.</param>
/// <param name="HealthPath">Path probed by the active health check (e.g. <c>/healthz</c>); null disables active probing.</param>
/// <param name="ProbeIntervalMs">Time between probes, ms; default 2000.</param>
/// <param name="ProbeTimeoutMs">Probe timeout, ms; default 1000.</param>
/// <param name="Rise">Consecutive successful probes that mark a down destination up (HAProxy <c>rise</c>); default 2.</param>
/// <param name="Fall">Consecutive failed probes that mark an up destination down (HAProxy <c>fall</c>); default 3.</param>
/// <param name="ConsecutiveFailures">Consecutive failed requests (5xx, connect errors, timeouts) that eject the destination (Envoy <c>consecutive_5xx</c>); default 5.</param>
/// <param name="BaseEjectionMs">First ejection length, ms; the n-th ejection lasts n × this, capped at 10 × (Envoy <c>base_ejection_time</c>); default 30000.</param>
/// <param name="Policy">The balancing policy name of the destination's cluster (e.g. <c>"LeastConnections"</c>), for display only; null = not given. Encoded last, as a nullable string; an encoding without it reads as null.</param>
[GenerateSerializer, Immutable, Alias("granary.BackendConfig")]
public sealed record BackendConfig(
    [property: Id(0)] string ClusterId,
    [property: Id(1)] string DestinationId,
    [property: Id(2)] string Address,
    [property: Id(3)] int Weight = 1,
    [property: Id(4)] string? HealthPath = null,
    [property: Id(5)] int ProbeIntervalMs = 2000,
    [property: Id(6)] int ProbeTimeoutMs = 1000,
    [property: Id(7)] int Rise = 2,
    [property: Id(8)] int Fall = 3,
    [property: Id(9)] int ConsecutiveFailures = 5,
    [property: Id(10)] int BaseEjectionMs = 30000,
    [property: Id(11)] string? Policy = null);
