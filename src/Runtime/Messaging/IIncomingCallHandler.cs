using System.Buffers;

namespace Granary.Runtime.Messaging;

/// <summary>
/// The silo side's entry point for a decoded call: the transport hands every
/// <see cref="FrameKind.Request"/> and <see cref="FrameKind.OneWay"/> frame to it; the catalog
/// implements it (ownership check, activation, turn, dispatch).
/// </summary>
public interface IIncomingCallHandler
{
    /// <summary>
    /// Runs one call. The result bytes go to <paramref name="result"/> only when the outcome is
    /// <see cref="CallOutcomeKind.Ok"/>. Never throws for a failed call: failures are outcomes.
    /// </summary>
    /// <param name="header">Target grain and method.</param>
    /// <param name="arguments">Encoded arguments; valid until the returned task completes.</param>
    /// <param name="callerViewVersion">The caller's membership view version (from the frame).</param>
    /// <param name="result">Receives the encoded result.</param>
    /// <param name="cancellationToken">Canceled when the connection closes or the silo stops.</param>
    ValueTask<CallOutcome> HandleAsync(GrainRequestHeader header, ReadOnlyMemory<byte> arguments, long callerViewVersion, IBufferWriter<byte> result, CancellationToken cancellationToken);

    /// <summary>The silo's current membership view version, stamped on every frame it sends.</summary>
    long ViewVersion { get; }
}
