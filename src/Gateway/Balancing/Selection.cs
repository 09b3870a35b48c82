using Yarp.ReverseProxy.Model;

namespace Granary.Gateway.Balancing;

/// <summary>The result of <see cref="ClusterBalancer.Select"/>: the chosen destination, or none.</summary>
/// <param name="Entry">The chosen destination's entry; null when no candidate was healthy.</param>
/// <param name="Destinations">A one-element list with the chosen YARP destination, for <c>AvailableDestinations</c>.</param>
/// <param name="UsedStaleData">True when some candidate's grain status was too old (local decision).</param>
internal readonly record struct Selection(DestinationEntry? Entry, IReadOnlyList<DestinationState>? Destinations, bool UsedStaleData);
