using Granary.Grains.Contracts;

namespace Granary.Gateway.Balancing;

/// <summary>One destination in one <see cref="ClusterBalancer"/> version: its shared entry, its position in id order and its config.</summary>
/// <param name="Entry">The destination's state (shared across balancer versions).</param>
/// <param name="Order">Position in ordinal destination-id order.</param>
/// <param name="Config">What the backend grain is configured with.</param>
internal sealed record BalancerSlot(DestinationEntry Entry, int Order, BackendConfig Config);
