namespace Granary.Grains;

/// <summary>
/// The Orleans grain type names of Granary's grains (<see cref="GrainTypeAttribute"/>): stable,
/// they name activations in the directory, the dashboards and grain storage.
/// </summary>
public static class GrainTypes
{
    /// <summary>The client grain (<see cref="ClientGrain"/>): <c>"client"</c>.</summary>
    public const string Client = "client";

    /// <summary>The backend grain (<see cref="BackendGrain"/>): <c>"backend"</c>.</summary>
    public const string Backend = "backend";

    /// <summary>The gateway grain (<see cref="GatewayGrain"/>): <c>"gateway"</c>.</summary>
    public const string Gateway = "gateway";
}
