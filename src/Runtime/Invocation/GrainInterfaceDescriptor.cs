using System.Buffers;
using Granary.Runtime.Serialization;

namespace Granary.Runtime.Invocation;

/// <summary>
/// Runs one incoming call against a grain instance: decodes the arguments of method
/// <paramref name="methodId"/> from <paramref name="arguments"/>, calls the grain, and writes the
/// encoded result to <paramref name="result"/>.
/// </summary>
/// <exception cref="GrainSerializationException">The arguments do not decode.</exception>
/// <exception cref="UnknownGrainMethodException">No such method on this interface.</exception>
public delegate ValueTask GrainDispatcher(IGrain grain, ushort methodId, ReadOnlyMemory<byte> arguments, IBufferWriter<byte> result);

/// <summary>
/// Everything the runtime needs to know about one grain interface: its wire name, how to make a
/// typed reference (client side) and how to dispatch a call to an implementation (silo side).
/// Written by hand per interface: the part of Orleans's code generation this runtime needs.
/// </summary>
public sealed class GrainInterfaceDescriptor
{
    /// <summary>The grain type name sent on the wire and used in <see cref="GrainId.Type"/>, e.g. <c>"client"</c>.</summary>
    public required string GrainType { get; init; }

    /// <summary>The grain interface, e.g. <c>IClientGrain</c>.</summary>
    public required Type InterfaceType { get; init; }

    /// <summary>Creates the typed reference for a grain id; the result implements <see cref="InterfaceType"/>.</summary>
    public required Func<GrainId, IGrainCallInvoker, IGrain> CreateReference { get; init; }

    /// <summary>Dispatches an incoming call to an implementation of <see cref="InterfaceType"/>.</summary>
    public required GrainDispatcher Dispatch { get; init; }

    /// <summary>
    /// Methods that only read state: the dashboard may call them freely. Informational; the
    /// runtime still runs them as turns.
    /// </summary>
    public IReadOnlySet<ushort> ReadOnlyMethods { get; init; } = new HashSet<ushort>();
}
