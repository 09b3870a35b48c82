namespace Granary.Runtime.Storage;

/// <summary>The outcome of one <see cref="GrainWrite"/> in <see cref="IBatchedGrainStorage.WriteManyAsync"/>.</summary>
/// <param name="NewETag">The etag now stored when the write succeeded; null when it was refused.</param>
/// <param name="StoredETag">When refused: the etag in storage at that moment (null when nothing was stored). When it succeeded: equal to <paramref name="NewETag"/>.</param>
public readonly record struct GrainWriteResult(string? NewETag, string? StoredETag)
{
    /// <summary>True when the payload was stored; false when the etag did not match (nothing changed).</summary>
    public bool Succeeded => NewETag is not null;

    /// <summary>A successful write that stored <paramref name="etag"/>.</summary>
    public static GrainWriteResult Written(string etag) => new(etag, etag);

    /// <summary>A refused write; <paramref name="storedETag"/> is what storage holds (null: nothing).</summary>
    public static GrainWriteResult Conflict(string? storedETag) => new(null, storedETag);
}
