namespace Granary.Runtime.Storage;

/// <summary>
/// Durable grain state with optimistic concurrency (Orleans: <c>IGrainStorage</c>). State is an
/// opaque byte payload per (grain type, key) with an etag that changes on every write.
/// </summary>
/// <remarks>
/// <para><b>Concurrency.</b> Writes and clears are conditional on the etag the caller last saw:
/// each is one atomic compare-and-set per (grain type, key) (one conditional <c>UPDATE</c> /
/// <c>INSERT … ON CONFLICT DO NOTHING</c> / <c>DELETE</c> in SQL). A mismatch changes nothing and
/// throws <see cref="InconsistentStateException"/>: two activations of one grain cannot both
/// write from the same read, which fences the short window in which a membership change lets
/// two activations coexist.</para>
/// <para><b>Errors.</b> <see cref="InconsistentStateException"/> is the only expected failure;
/// any other exception means the store could not be reached and the outcome is unknown (re-read
/// before writing again).</para>
/// <para>Implementations are safe for concurrent use. Payload buffers are copied; callers may
/// reuse theirs once a call returns.</para>
/// </remarks>
public interface IGrainStorage
{
    /// <summary>Reads the state of grain (<paramref name="grainType"/>, <paramref name="key"/>).</summary>
    /// <returns>The payload and its etag, or <see cref="GrainStateRecord.None"/> when nothing is stored.</returns>
    Task<GrainStateRecord> ReadStateAsync(string grainType, string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores <paramref name="payload"/> if the stored etag equals <paramref name="expectedETag"/>
    /// (null: only if nothing is stored yet).
    /// </summary>
    /// <returns>The new etag; pass it as <paramref name="expectedETag"/> to the next write.</returns>
    /// <exception cref="InconsistentStateException">The stored etag differs from <paramref name="expectedETag"/>; nothing was written.</exception>
    Task<string> WriteStateAsync(string grainType, string key, ReadOnlyMemory<byte> payload, string? expectedETag, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the stored state if the stored etag equals <paramref name="expectedETag"/>. Clearing a
    /// grain with no stored state and <paramref name="expectedETag"/> null succeeds and does nothing.
    /// </summary>
    /// <exception cref="InconsistentStateException">The stored etag differs from <paramref name="expectedETag"/>; nothing was deleted.</exception>
    Task ClearStateAsync(string grainType, string key, string? expectedETag, CancellationToken cancellationToken = default);
}
