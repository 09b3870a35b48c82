namespace Granary.Runtime.Storage;

/// <summary>What <see cref="IGrainStorage.ReadStateAsync"/> found for one grain.</summary>
/// <param name="Payload">The stored state bytes (the grain's own encoding), or null when no state is stored.</param>
/// <param name="ETag">The version of the stored state, opaque to callers; null exactly when <paramref name="Payload"/> is null.</param>
public readonly record struct GrainStateRecord(ReadOnlyMemory<byte>? Payload, string? ETag)
{
    /// <summary>The record of a grain with no stored state.</summary>
    public static readonly GrainStateRecord None = new(null, null);

    /// <summary>True when state is stored (Orleans: <c>IGrainState.RecordExists</c>).</summary>
    public bool RecordExists => ETag is not null;
}
