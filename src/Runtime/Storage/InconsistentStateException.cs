namespace Granary.Runtime.Storage;

/// <summary>
/// A write or clear was refused because the stored etag is not the one the caller expected:
/// another activation (or another writer) changed the state since this one read it
/// (Orleans: <c>InconsistentStateException</c>). The activation should be deactivated
/// (<see cref="DeactivationReason.Faulted"/>) and its state re-read by the next activation.
/// </summary>
public sealed class InconsistentStateException : Exception
{
    /// <summary>Creates the exception naming the grain and both etags.</summary>
    /// <param name="message">What was refused, naming the grain.</param>
    /// <param name="storedETag">The etag in storage now (null when no state is stored).</param>
    /// <param name="expectedETag">The etag the caller expected (null when it expected no state).</param>
    public InconsistentStateException(string message, string? storedETag, string? expectedETag) : base(message)
    {
        StoredETag = storedETag;
        ExpectedETag = expectedETag;
    }

    /// <summary>The etag in storage when the operation was refused; null when no state was stored.</summary>
    public string? StoredETag { get; }

    /// <summary>The etag the caller passed; null when it expected no state.</summary>
    public string? ExpectedETag { get; }
}
