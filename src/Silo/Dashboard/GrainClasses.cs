using Granary.Grains;
using Orleans.Serialization.TypeSystem;

namespace Granary.Silo.Dashboard;

/// <summary>
/// Granary's grain classes as Orleans's grain statistics name them (<see cref="RuntimeTypeNameFormatter"/>,
/// e.g. <c>Granary.Grains.BackendGrain,Granary.Grains</c>), and the grain type each is (<see cref="GrainTypes"/>).
/// </summary>
internal static class GrainClasses
{
    /// <summary>The statistics name of <see cref="BackendGrain"/>.</summary>
    public static readonly string Backend = RuntimeTypeNameFormatter.Format(typeof(BackendGrain));

    /// <summary>The statistics name of <see cref="ClientGrain"/>.</summary>
    public static readonly string Client = RuntimeTypeNameFormatter.Format(typeof(ClientGrain));

    /// <summary>The statistics name of <see cref="GatewayGrain"/>.</summary>
    public static readonly string Gateway = RuntimeTypeNameFormatter.Format(typeof(GatewayGrain));

    /// <summary>The Granary grain type (<c>backend</c>, <c>client</c>, <c>gateway</c>) of a statistics name; null for other grains.</summary>
    public static string? GrainTypeOf(string className) =>
        className == Backend ? GrainTypes.Backend
        : className == Client ? GrainTypes.Client
        : className == Gateway ? GrainTypes.Gateway
        : null;
}
