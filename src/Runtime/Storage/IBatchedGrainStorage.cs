namespace Granary.Runtime.Storage;

/// <summary>
/// Grain storage that can store many grains' states in one round trip (write-behind flushes).
/// Each item is an independent compare-and-set with the semantics of
/// <see cref="IGrainStorage.WriteStateAsync"/>; the batch is not a transaction: some items may
/// succeed while others conflict.
/// </summary>
public interface IBatchedGrainStorage : IGrainStorage
{
    /// <summary>
    /// Writes every item whose stored etag equals its <see cref="GrainWrite.ExpectedETag"/>, in one
    /// round trip to the store. A mismatch is reported in that item's result, never thrown.
    /// </summary>
    /// <param name="writes">The writes; at most one per (grain type, key). Empty: returns an empty list at once.</param>
    /// <param name="cancellationToken">Cancels the call; the outcome is then unknown.</param>
    /// <returns>One result per write, in the same order.</returns>
    /// <exception cref="ArgumentException">Two writes name the same grain.</exception>
    /// <remarks>Any exception other than <see cref="ArgumentException"/> means the store could not be reached and the outcome of every item is unknown (re-read before writing again).</remarks>
    Task<IReadOnlyList<GrainWriteResult>> WriteManyAsync(IReadOnlyList<GrainWrite> writes, CancellationToken cancellationToken = default);
}
