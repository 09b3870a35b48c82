namespace Granary.Grains.Contracts;

/// <summary>
/// Wire method ids of <see cref="IBackendGrain"/> (the <c>methodId</c> of a grain call). Stable:
/// never renumber, only add. Gateways may send <see cref="ReportInFlight"/> and
/// <see cref="ReportOutcome"/> as one-way calls.
/// </summary>
public static class BackendGrainMethods
{
    /// <summary><see cref="IBackendGrain.ConfigureAsync"/>: <see cref="BackendConfig"/> → <see cref="BackendStatus"/>.</summary>
    public const ushort Configure = 1;

    /// <summary><see cref="IBackendGrain.ReportInFlightAsync"/>: <see cref="InFlightReport"/> → <see cref="BackendStatus"/>.</summary>
    public const ushort ReportInFlight = 2;

    /// <summary><see cref="IBackendGrain.ReportOutcomeAsync"/>: <see cref="RequestOutcome"/> → <see cref="BackendStatus"/>.</summary>
    public const ushort ReportOutcome = 3;

    /// <summary><see cref="IBackendGrain.GetStatusAsync"/>: <c>Empty</c> → <see cref="BackendStatus"/>.</summary>
    public const ushort GetStatus = 4;

    /// <summary><see cref="IBackendGrain.GetDetailsAsync"/>: <c>Empty</c> → <see cref="BackendDetails"/>.</summary>
    public const ushort GetDetails = 5;

    /// <summary><see cref="IBackendGrain.ReportBatchAsync"/>: <see cref="OutcomeBatch"/> → <see cref="BackendStatus"/>.</summary>
    public const ushort ReportBatch = 6;
}
