using System.Buffers;
using Granary.Runtime;
using Granary.Runtime.Invocation;
using Granary.Runtime.Serialization;

namespace Granary.Grains.Contracts;

/// <summary>
/// The <see cref="GrainInterfaceDescriptor"/>s of Granary's grain interfaces: typed references
/// for callers (gateways, the silo's admin API) and dispatchers for the silo. Register
/// <see cref="All"/> on clients (<c>AddGrainInterface</c>) and the matching grain classes on silos.
/// Arguments and results are encoded with the message records' own <c>Write</c>/<c>Read</c>;
/// method ids are <see cref="ClientGrainMethods"/>, <see cref="BackendGrainMethods"/> and <see cref="GatewayGrainMethods"/>.
/// </summary>
public static class GrainDescriptors
{
    /// <summary>Grain type name of <see cref="IClientGrain"/>: <c>"client"</c>.</summary>
    public const string ClientGrainType = "client";

    /// <summary>Grain type name of <see cref="IBackendGrain"/>: <c>"backend"</c>.</summary>
    public const string BackendGrainType = "backend";

    /// <summary>Grain type name of <see cref="IGatewayGrain"/>: <c>"gateway"</c>.</summary>
    public const string GatewayGrainType = "gateway";

    /// <summary>The descriptor of <see cref="IClientGrain"/> (grain type <c>"client"</c>).</summary>
    public static GrainInterfaceDescriptor Client { get; } = new()
    {
        GrainType = ClientGrainType,
        InterfaceType = typeof(IClientGrain),
        CreateReference = static (id, invoker) => new ClientGrainReference(id, invoker),
        Dispatch = DispatchClient,
        ReadOnlyMethods = new HashSet<ushort> { ClientGrainMethods.GetState },
    };

    /// <summary>The descriptor of <see cref="IBackendGrain"/> (grain type <c>"backend"</c>).</summary>
    public static GrainInterfaceDescriptor Backend { get; } = new()
    {
        GrainType = BackendGrainType,
        InterfaceType = typeof(IBackendGrain),
        CreateReference = static (id, invoker) => new BackendGrainReference(id, invoker),
        Dispatch = DispatchBackend,
        ReadOnlyMethods = new HashSet<ushort> { BackendGrainMethods.GetStatus, BackendGrainMethods.GetDetails },
    };

    /// <summary>The descriptor of <see cref="IGatewayGrain"/> (grain type <c>"gateway"</c>).</summary>
    public static GrainInterfaceDescriptor Gateway { get; } = new()
    {
        GrainType = GatewayGrainType,
        InterfaceType = typeof(IGatewayGrain),
        CreateReference = static (id, invoker) => new GatewayGrainReference(id, invoker),
        Dispatch = DispatchGateway,
        ReadOnlyMethods = new HashSet<ushort> { GatewayGrainMethods.GetStats },
    };

    /// <summary>Every descriptor: <see cref="Client"/>, <see cref="Backend"/> and <see cref="Gateway"/>.</summary>
    public static IReadOnlyList<GrainInterfaceDescriptor> All { get; } = [Client, Backend, Gateway];

    // Each case decodes its argument completely (synchronously, from the span) before the grain runs.
    private static ValueTask DispatchClient(IGrain grain, ushort methodId, ReadOnlyMemory<byte> arguments, IBufferWriter<byte> result)
    {
        var target = (IClientGrain)grain;
        switch (methodId)
        {
            case ClientGrainMethods.TryAcquire:
                return DispatchHelpers.WriteResult(target.TryAcquireAsync(DispatchHelpers.ReadArgument<AcquireTokens>(arguments)), result);
            case ClientGrainMethods.LeaseTokens:
                return DispatchHelpers.WriteResult(target.LeaseTokensAsync(DispatchHelpers.ReadArgument<LeaseTokens>(arguments)), result);
            case ClientGrainMethods.SetLimits:
                return DispatchHelpers.WriteEmpty(target.SetLimitsAsync(DispatchHelpers.ReadArgument<ClientLimits>(arguments)));
            case ClientGrainMethods.ResetLimits:
                DispatchHelpers.ReadArgument<Empty>(arguments);
                return DispatchHelpers.WriteEmpty(target.ResetLimitsAsync());
            case ClientGrainMethods.GetState:
                DispatchHelpers.ReadArgument<Empty>(arguments);
                return DispatchHelpers.WriteResult(target.GetStateAsync(), result);
            default:
                throw new UnknownGrainMethodException(ClientGrainType, methodId);
        }
    }

    private static ValueTask DispatchBackend(IGrain grain, ushort methodId, ReadOnlyMemory<byte> arguments, IBufferWriter<byte> result)
    {
        var target = (IBackendGrain)grain;
        switch (methodId)
        {
            case BackendGrainMethods.Configure:
                return DispatchHelpers.WriteResult(target.ConfigureAsync(DispatchHelpers.ReadArgument<BackendConfig>(arguments)), result);
            case BackendGrainMethods.ReportInFlight:
                return DispatchHelpers.WriteResult(target.ReportInFlightAsync(DispatchHelpers.ReadArgument<InFlightReport>(arguments)), result);
            case BackendGrainMethods.ReportOutcome:
                return DispatchHelpers.WriteResult(target.ReportOutcomeAsync(DispatchHelpers.ReadArgument<RequestOutcome>(arguments)), result);
            case BackendGrainMethods.ReportBatch:
                return DispatchHelpers.WriteResult(target.ReportBatchAsync(DispatchHelpers.ReadArgument<OutcomeBatch>(arguments)), result);
            case BackendGrainMethods.GetStatus:
                DispatchHelpers.ReadArgument<Empty>(arguments);
                return DispatchHelpers.WriteResult(target.GetStatusAsync(), result);
            case BackendGrainMethods.GetDetails:
                DispatchHelpers.ReadArgument<Empty>(arguments);
                return DispatchHelpers.WriteResult(target.GetDetailsAsync(), result);
            default:
                throw new UnknownGrainMethodException(BackendGrainType, methodId);
        }
    }

    private static ValueTask DispatchGateway(IGrain grain, ushort methodId, ReadOnlyMemory<byte> arguments, IBufferWriter<byte> result)
    {
        var target = (IGatewayGrain)grain;
        switch (methodId)
        {
            case GatewayGrainMethods.Report:
                return DispatchHelpers.WriteEmpty(target.ReportAsync(DispatchHelpers.ReadArgument<GatewayStats>(arguments)));
            case GatewayGrainMethods.GetStats:
                DispatchHelpers.ReadArgument<Empty>(arguments);
                return DispatchHelpers.WriteResult(target.GetStatsAsync(), result);
            default:
                throw new UnknownGrainMethodException(GatewayGrainType, methodId);
        }
    }
}
