namespace Granary.Grains.Contracts;

/// <summary>
/// Wire method ids of <see cref="IGatewayGrain"/> (the <c>methodId</c> of a grain call). Stable:
/// never renumber, only add.
/// </summary>
public static class GatewayGrainMethods
{
    /// <summary><see cref="IGatewayGrain.ReportAsync"/>: <see cref="GatewayStats"/> → <c>Empty</c>.</summary>
    public const ushort Report = 1;

    /// <summary><see cref="IGatewayGrain.GetStatsAsync"/>: <c>Empty</c> → <see cref="GatewayStats"/>.</summary>
    public const ushort GetStats = 2;
}
