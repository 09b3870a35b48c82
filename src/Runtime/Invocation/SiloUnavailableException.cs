namespace Granary.Runtime.Invocation;

/// <summary>No silo could take the call: none is known, or the owner's connection is down and reconnecting.</summary>
public sealed class SiloUnavailableException : Exception
{
    /// <summary>Creates the exception with a message naming the silo or the reason.</summary>
    public SiloUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the socket error behind it.</summary>
    public SiloUnavailableException(string message, Exception inner) : base(message, inner) { }
}
