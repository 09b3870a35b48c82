namespace Granary.Runtime.Serialization;

/// <summary>Thrown when a grain message or frame cannot be decoded: truncated, oversized or malformed bytes.</summary>
public sealed class GrainSerializationException : Exception
{
    /// <summary>Creates the exception with a message naming what was wrong.</summary>
    public GrainSerializationException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the decoding error behind it.</summary>
    public GrainSerializationException(string message, Exception inner) : base(message, inner) { }
}
