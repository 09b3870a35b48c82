namespace Granary.Samples.Imaging;

/// <summary>The bytes are not an intact PNG that <see cref="Png.Decode"/> can read (no signature, unreadable header,
/// corrupt or truncated data, too large).</summary>
public sealed class PngFormatException : Exception
{
    /// <summary>Creates the exception with a message naming what was wrong.</summary>
    public PngFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public PngFormatException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public PngFormatException()
        : base("Invalid PNG.")
    {
    }
}
