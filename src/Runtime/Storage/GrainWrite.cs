namespace Granary.Runtime.Storage;

/// <summary>One conditional write in <see cref="IBatchedGrainStorage.WriteManyAsync"/>: the same as one <see cref="IGrainStorage.WriteStateAsync"/> call.</summary>
/// <param name="GrainType">The grain type (e.g. <c>client</c>).</param>
/// <param name="Key">The grain key.</param>
/// <param name="Payload">The state bytes to store (copied before the call returns).</param>
/// <param name="ExpectedETag">The etag the caller last saw; null: write only if nothing is stored yet.</param>
public readonly record struct GrainWrite(string GrainType, string Key, ReadOnlyMemory<byte> Payload, string? ExpectedETag);
