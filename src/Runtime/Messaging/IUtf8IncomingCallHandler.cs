using System.Buffers;

namespace Granary.Runtime.Messaging;

/// <summary>
/// An <see cref="IIncomingCallHandler"/> with a fast path for the transport: a call whose grain id
/// is still the UTF-8 bytes of the frame runs without decoding the id's strings when the handler
/// already knows that grain (the catalog: a live activation).
/// </summary>
internal interface IUtf8IncomingCallHandler : IIncomingCallHandler
{
    /// <summary>
    /// Runs the call when <paramref name="id"/> names a grain the handler knows; false (nothing run)
    /// otherwise, and the caller decodes the header and uses <see cref="IIncomingCallHandler.HandleAsync"/>.
    /// </summary>
    /// <param name="id">The grain id's UTF-8 bytes.</param>
    /// <param name="methodId">The method.</param>
    /// <param name="arguments">Encoded arguments; valid until <paramref name="outcome"/> completes.</param>
    /// <param name="callerViewVersion">The caller's membership view version.</param>
    /// <param name="result">Receives the encoded result.</param>
    /// <param name="grainId">The decoded id (the handler's own strings), for logging.</param>
    /// <param name="outcome">The call's outcome, when this returns true. Never faults for a failed call.</param>
    bool TryHandleUtf8(Utf8GrainId id, ushort methodId, ReadOnlyMemory<byte> arguments, long callerViewVersion, IBufferWriter<byte> result, out GrainId grainId, out ValueTask<CallOutcome> outcome);
}
