namespace Granary.Runtime.Messaging;

/// <summary>
/// The bytes on a grain connection are not a valid frame stream (bad preamble, length out of
/// range, unknown kind). The connection that produced them is closed; nothing else is affected.
/// </summary>
public sealed class FrameFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FrameFormatException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception, saying whether the cause is a length above the frame cap.</summary>
    public FrameFormatException(string message, bool isOverFrameCap) : base(message) => IsOverFrameCap = isOverFrameCap;

    /// <summary>True when a frame's length field exceeds the frame cap (a limit hit, counted as such), rather than plain garbage.</summary>
    public bool IsOverFrameCap { get; }
}
