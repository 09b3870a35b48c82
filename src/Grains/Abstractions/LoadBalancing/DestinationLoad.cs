namespace Granary.Grains.LoadBalancing;

/// <summary>A healthy destination as a balancing policy sees it.</summary>
/// <param name="DestinationId">YARP destination id.</param>
/// <param name="Weight">Relative weight, ≥ 1.</param>
/// <param name="InFlight">Cluster-wide in-flight requests (all gateways), ≥ 0.</param>
/// <param name="EwmaLatencyMs">EWMA latency, ms; 0 when unknown.</param>
public readonly record struct DestinationLoad(string DestinationId, int Weight, long InFlight, double EwmaLatencyMs);
