namespace Granary.Runtime.Messaging;

/// <summary>
/// The bytes on a grain connection are not a valid frame stream (bad preamble, length out of
/// range, unknown kind). The connection that produced them is closed; nothing else is affected.
/// </summary>
public sealed class FrameFormatException(string message) : Exception(message);
